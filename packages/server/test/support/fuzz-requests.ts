/**
 * Malformed HTTP, generated from a seed so that a failure can be replayed: request lines, paths,
 * headers, bodies and WebSocket upgrades, random and known-bad, each as the raw bytes sent.
 */
import { pushCommands } from './raw-http.js';

/** A small fast PRNG (mulberry32): the same seed gives the same requests. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FuzzCase {
  name: string;
  bytes: Buffer;
}

/** Where the garbage is aimed: a real session (for git paths) and the server's real routes. */
export interface FuzzTargets {
  sessionId: string;
  /** Its sandbox's git credential, so that git garbage gets past authentication too. */
  gitPassword?: string;
}

const METHODS = [
  'GET',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'OPTIONS',
  'HEAD',
  'TRACE',
  'CONNECT',
  'get',
  'G ET',
  'BREW',
  '',
];
const KNOWN_BAD_PATHS = [
  '//a:99999/',
  '//',
  '///',
  '//evil.example/api/sessions',
  '/..',
  '/../../etc/passwd',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/%zz',
  '/%',
  '/%00',
  '/%E0%A4%A',
  '/\\\\a',
  '/a\\..\\..\\b',
  '*',
  'http://x/api/sessions',
  'http://[::1/',
  'ws://x/',
  '?',
  '/?%zz=%zz',
  '/api/sessions?status=%zz&status=',
  '/api/sessions/%E0%A4%A',
  '/api/sessions/%2e%2e/events',
  '/api/sessions/ses_x/events?after=-1',
  '/api/sessions/ses_x/events?after=1e999',
  '/api/sessions/ses_x/ws?after=%zz',
  '/api/sandboxes/bridge',
  '/api/sandboxes/bridge/..',
  '/git/',
  '/git/.git/info/refs',
  '/git/%2e%2e.git/info/refs',
];
const ROUTES = [
  '/api/health',
  '/api/sessions',
  '/api/sessions/ses_nosuch',
  '/api/sessions/ses_nosuch/prompts',
  '/api/sessions/ses_nosuch/events',
  '/api/sessions/ses_nosuch/archive',
  '/api/sessions/ses_nosuch/ws',
  '/api/sandboxes/bridge',
  '/',
  '/sessions/ses_nosuch',
];
const GIT_TAILS = [
  '/info/refs?service=git-receive-pack',
  '/info/refs?service=git-upload-pack',
  '/info/refs?service=%zz',
  '/info/refs',
  '/git-receive-pack',
  '//git-receive-pack',
  '/x/git-receive-pack',
  '/%2e/git-receive-pack',
  '/git-upload-pack',
  '/HEAD',
  '/objects/info/packs',
  '/../../../etc/passwd',
];
const SEGMENTS = [
  '',
  '.',
  '..',
  '%2e',
  '%2e%2e',
  '%2f',
  '%5c',
  '%00',
  '%zz',
  'api',
  'git',
  'sessions',
  'ses_x',
  'ws',
  '\u00e9',
  ';',
  '@',
  ':99999',
];

/**
 * Every known-bad path as a plain GET and as a WebSocket upgrade, and every git path to
 * receive-pack with a valid credential and a push of the base branch: what each batch starts with.
 */
export function knownBadCases(targets: FuzzTargets): FuzzCase[] {
  const request = (name: string, lines: string[], body: Buffer = Buffer.alloc(0)) => ({
    name,
    bytes: Buffer.concat([
      Buffer.from(
        `${[...lines, 'Host: x', 'Connection: close', `content-length: ${body.length}`].join('\r\n')}\r\n\r\n`,
        'latin1',
      ),
      body,
    ]),
  });
  const upgrade = [
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Version: 13',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
  ];
  const auth = targets.gitPassword
    ? [`Authorization: Basic ${Buffer.from(`x:${targets.gitPassword}`).toString('base64')}`]
    : [];
  const push = pushCommands('refs/heads/main');
  return [
    ...KNOWN_BAD_PATHS.map((p) => request(`known GET ${JSON.stringify(p)}`, [`GET ${p} HTTP/1.1`])),
    ...KNOWN_BAD_PATHS.map((p) =>
      request(`known upgrade ${JSON.stringify(p)}`, [`GET ${p} HTTP/1.1`, ...upgrade]),
    ),
    ...GIT_TAILS.map((tail) =>
      request(
        `known git POST ${tail}`,
        [
          `POST /git/${targets.sessionId}.git${tail} HTTP/1.1`,
          ...auth,
          'content-type: application/x-git-receive-pack-request',
        ],
        push,
      ),
    ),
  ];
}

export function fuzzCases(seed: number, count: number, targets: FuzzTargets): FuzzCase[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const chance = (p: number) => random() < p;
  const randomBytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));

  const path = (): string => {
    switch (Math.floor(random() * 5)) {
      case 0:
        return pick(KNOWN_BAD_PATHS);
      case 1:
        return (
          pick(ROUTES) + (chance(0.3) ? pick(['?', '?x=', '?after=', '#', '/..', '//']) + pick(SEGMENTS) : '')
        );
      case 2:
        return `/git/${chance(0.7) ? targets.sessionId : pick(SEGMENTS)}.git${pick(GIT_TAILS)}`;
      case 3:
        return `/${Array.from({ length: 1 + Math.floor(random() * 6) }, () => pick(SEGMENTS)).join('/')}`;
      default:
        return chance(0.5)
          ? `/${'a/'.repeat(2000 + Math.floor(random() * 3000))}`
          : `/${randomBytes(1 + Math.floor(random() * 40)).toString('latin1')}`;
    }
  };

  const headers = (bodyLength: number): string[] => {
    const lines: string[] = [];
    if (!chance(0.1)) lines.push(pick(['Host: x', 'Host:', 'Host: [::1', 'Host: a b', 'Host: x\r\nHost: y']));
    switch (Math.floor(random() * 8)) {
      case 0:
        lines.push(`content-length: ${pick(['-1', 'abc', '99999999999999999999', '1, 2', ' 3', '0x10'])}`);
        break;
      case 1:
        lines.push('transfer-encoding: chunked', `content-length: ${bodyLength}`);
        break;
      case 2:
        lines.push(
          `transfer-encoding: ${pick(['chunked', 'gzip, chunked', 'identity', 'chunked, chunked', 'xchunked'])}`,
        );
        break;
      case 3:
        lines.push(`x-big: ${'a'.repeat(Math.floor(random() * 20_000))}`);
        break;
      case 4:
        lines.push(pick(['no-colon-header', ': empty-name', 'bad header: x', 'x-nul: a\0b', 'x-cr: a\rb']));
        break;
      case 5:
        lines.push(
          `authorization: ${pick(['Basic', 'Basic !!!', 'Basic ' + Buffer.from('x').toString('base64'), 'Bearer', 'Bearer ' + 'z'.repeat(5000)])}`,
        );
        break;
      case 6:
        lines.push(`content-encoding: ${pick(['gzip', 'deflate', 'br', 'gzip, gzip', 'x-gzip', '%zz'])}`);
        break;
      default:
        break;
    }
    if (chance(0.7))
      lines.push(
        `content-type: ${pick(['application/json', 'text/plain', 'application/x-git-receive-pack-request', 'multipart/form-data; boundary=', ''])}`,
      );
    if (!lines.some((l) => /^(content-length|transfer-encoding)/i.test(l)) && bodyLength > 0)
      lines.push(`content-length: ${chance(0.8) ? bodyLength : bodyLength + 5}`);
    return lines;
  };

  const body = (): Buffer => {
    switch (Math.floor(random() * 6)) {
      case 0:
        return Buffer.alloc(0);
      case 1:
        return randomBytes(Math.floor(random() * 2000));
      case 2:
        return Buffer.from(
          pick([
            '{',
            '{"text":',
            'null',
            '[]',
            '{"text":1}',
            '{"repo":{}}',
            '"\\ud800"',
            '{"a":'.repeat(5000),
          ]),
        );
      case 3:
        return Buffer.from(`0000${randomBytes(50).toString('latin1')}`, 'latin1');
      case 4:
        return Buffer.from('5\r\nhello\r\nzz\r\n\r\n'); // a chunk size that is not hex
      default:
        return Buffer.from(`\u001f\u008b\u0008${randomBytes(100).toString('latin1')}`, 'latin1'); // gzip magic, then garbage
    }
  };

  const upgrade = (): string[] =>
    [
      'Upgrade: websocket',
      'Connection: Upgrade',
      chance(0.7) ? `Sec-WebSocket-Version: ${pick(['13', '8', 'x', ''])}` : '',
      chance(0.7) ? `Sec-WebSocket-Key: ${pick(['dGhlIHNhbXBsZSBub25jZQ==', 'short', '', '!!!!'])}` : '',
      chance(0.3) ? `Authorization: Bearer ${pick(['', 'guess', 'x'.repeat(100)])}` : '',
    ].filter(Boolean);

  const cases: FuzzCase[] = [];
  for (let i = 0; i < count; i++) {
    const kind = Math.floor(random() * 10);
    if (kind === 0) {
      // Not HTTP at all.
      cases.push({
        name: `${i} garbage`,
        bytes: Buffer.concat([randomBytes(1 + Math.floor(random() * 300)), Buffer.from('\r\n\r\n')]),
      });
      continue;
    }
    const method = pick(METHODS);
    const target = path();
    const version = chance(0.9) ? 'HTTP/1.1' : pick(['HTTP/1.0', 'HTTP/2.0', 'HTTP/9', 'HTTX/1.1', '']);
    const payload = kind <= 2 ? Buffer.alloc(0) : body();
    const lines = [
      `${method} ${target} ${version}`,
      ...headers(payload.length),
      ...(kind === 1 || kind === 2 ? upgrade() : []),
    ];
    if (!lines.some((l) => /^connection:/i.test(l))) lines.push('Connection: close');
    const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
    cases.push({
      name: `${i} ${method} ${JSON.stringify(target.slice(0, 60))}`,
      bytes: Buffer.concat([head, payload]),
    });
  }
  return cases;
}
