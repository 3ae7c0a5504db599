import { describe, expect, it } from 'vitest';
import type { Session, SessionEvent } from '@nightshift/protocol';
import { parseCommandArgs, type Command } from '../src/command.js';
import { UsageError, exitCodeForStatus } from '../src/errors.js';
import { parseAuthor } from '../src/client/author.js';
import { resolveServerUrl, sessionWebUrl } from '../src/client/server-url.js';
import { colorsFor, makeColors, stripAnsi } from '../src/output/color.js';
import { formatAge, formatDuration, sessionTable } from '../src/output/format.js';
import { TimelineRenderer } from '../src/output/timeline.js';
import { ProgressLine } from '../src/output/progress.js';
import { formatLogEntry } from '../src/output/server-log.js';
import { normaliseRepo } from '../src/commands/new.js';
import { parseAfter } from '../src/commands/tail.js';
import { exitCodeForOutcome } from '../src/commands/prompt.js';
import { parsePortFlag } from '../src/commands/up.js';

const plain = makeColors(false);

const demo: Command = {
  name: 'demo-cmd',
  summary: 's',
  positionals: [
    { name: 'session', description: '' },
    { name: 'text', description: '', optional: true },
  ],
  options: { wait: { type: 'boolean', description: '' }, model: { type: 'string', description: '' } },
  client: true,
  run: async () => 0,
};

describe('argument parsing', () => {
  it('parses options and positionals, with the client options added', () => {
    const args = parseCommandArgs(demo, [
      'ses_1',
      'hello',
      '--wait',
      '--model',
      'a/b',
      '--json',
      '--server',
      'x',
    ]);
    expect(args.positionals).toEqual(['ses_1', 'hello']);
    expect(args.values).toMatchObject({ wait: true, model: 'a/b', json: true, server: 'x' });
  });

  it.each([
    [['ses_1', '--nope'], 'unknown option --nope'],
    [['ses_1', '--model'], '--model needs a value'],
    [['ses_1', '--wait=yes'], '--wait does not take a value'],
    [[], 'missing <session>'],
    [['a', 'b', 'c', 'd'], 'unexpected arguments: c d'],
  ])('%j is a usage error: %s', (argv, message) => {
    expect(() => parseCommandArgs(demo, argv)).toThrow(message);
  });

  it('--help needs no positionals', () => {
    expect(parseCommandArgs(demo, ['--help']).values.help).toBe(true);
  });

  it('parses --after, --port and exit codes', () => {
    expect(parseAfter(undefined, 'tail')).toBe(0);
    expect(parseAfter('12', 'tail')).toBe(12);
    expect(() => parseAfter('-1', 'tail')).toThrow(UsageError);
    expect(() => parseAfter('1.5', 'tail')).toThrow(UsageError);
    expect(parsePortFlag('0')).toBe(0);
    expect(() => parsePortFlag('70000')).toThrow(UsageError);
    expect(exitCodeForOutcome('completed')).toBe(0);
    expect(exitCodeForOutcome('failed')).toBe(1);
    expect(exitCodeForOutcome('stopped')).toBe(6);
    expect(exitCodeForOutcome('cancelled')).toBe(7);
    expect([404, 409, 400, 422, 500].map(exitCodeForStatus)).toEqual([4, 5, 2, 2, 1]);
  });
});

describe('author and server URL', () => {
  it('parses "Name <email>"', () => {
    expect(parseAuthor('Ada Lovelace <ada@example.com>')).toEqual({
      name: 'Ada Lovelace',
      email: 'ada@example.com',
    });
    expect(() => parseAuthor('ada@example.com')).toThrow(/expected "Name <email>"/);
    expect(() => parseAuthor('Ada <not-an-email>')).toThrow(/--author.email: must be an email address/);
  });

  it('resolves the server URL from the flag, the environment, or the default', () => {
    expect(resolveServerUrl(undefined, {})).toBe('http://127.0.0.1:7070');
    expect(resolveServerUrl(undefined, { NIGHTSHIFT_URL: 'http://box:9000/' })).toBe('http://box:9000');
    expect(resolveServerUrl('localhost:8080', { NIGHTSHIFT_URL: 'http://box:9000' })).toBe(
      'http://localhost:8080',
    );
    expect(() => resolveServerUrl('ftp://x', {})).toThrow(UsageError);
    expect(sessionWebUrl('http://h:1', 'ses_a')).toBe('http://h:1/sessions/ses_a');
  });

  it('makes local repository paths absolute and leaves URLs alone', () => {
    expect(normaliseRepo('https://github.com/a/b.git', '/tmp')).toBe('https://github.com/a/b.git');
    expect(normaliseRepo('git@github.com:a/b.git', '/tmp')).toBe('git@github.com:a/b.git');
    expect(normaliseRepo('.', '/tmp')).toBe('/tmp');
    expect(normaliseRepo('/srv/repo', '/tmp')).toBe('/srv/repo');
  });
});

describe('colour', () => {
  it('only on a TTY, never with NO_COLOR or TERM=dumb', () => {
    expect(colorsFor({ write: () => {}, isTTY: true }, {}).enabled).toBe(true);
    expect(colorsFor({ write: () => {}, isTTY: false }, {}).enabled).toBe(false);
    expect(colorsFor({ write: () => {}, isTTY: true }, { NO_COLOR: '1' }).enabled).toBe(false);
    expect(colorsFor({ write: () => {}, isTTY: true }, { TERM: 'dumb' }).enabled).toBe(false);
    expect(makeColors(true).red('x')).toBe('\x1b[31mx\x1b[39m');
    expect(stripAnsi(makeColors(true).bold('x'))).toBe('x');
  });
});

describe('formatting', () => {
  it('durations and ages', () => {
    expect(formatDuration(850)).toBe('850ms');
    expect(formatDuration(1234)).toBe('1.2s');
    expect(formatDuration(125_000)).toBe('2m5s');
    const now = Date.parse('2025-01-01T12:00:00Z');
    expect(formatAge('2025-01-01T11:59:30Z', now)).toBe('30s ago');
    expect(formatAge('2025-01-01T09:00:00Z', now)).toBe('3h ago');
  });

  it('a session table aligns columns even with colour on', () => {
    const session: Session = {
      id: 'ses_1',
      repo: '/r',
      baseBranch: 'main',
      branch: 'nightshift/1',
      title: 'T',
      model: null,
      status: 'active',
      sandbox: { status: 'ready' },
      queue: { running: 'msg_1', queued: ['msg_2'] },
      usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
      createdAt: '2025-01-01T00:00:00Z',
      updatedAt: '2025-01-01T00:00:00Z',
    };
    const table = stripAnsi(sessionTable([session], makeColors(true), Date.parse('2025-01-01T00:01:00Z')));
    const [header, row] = table.trim().split('\n');
    expect(header!.indexOf('QUEUE')).toBe(row!.indexOf('running, 1 queued'));
    expect(row).toContain('/r@main');
  });

  it('server log lines become one readable line', () => {
    const line = formatLogEntry({ level: 40, time: 0, msg: 'careful', sessionId: 's1' }, plain);
    expect(line).toMatch(/warn {2}careful sessionId=s1$/);
  });
});

function ev(seq: number, type: string, data: Record<string, unknown>): SessionEvent {
  return { seq, type, at: '2025-01-01T00:00:00Z', data } as SessionEvent;
}

describe('timeline rendering', () => {
  function render(events: SessionEvent[]): string {
    let out = '';
    const renderer = new TimelineRenderer(
      { print: (t) => (out += t) },
      {
        colors: plain,
        promptInfo: () => ({ text: 'fix it\nplease', author: { name: 'Ada', email: 'ada@example.com' } }),
      },
    );
    events.forEach((e) => renderer.render(e));
    renderer.finish();
    return out;
  }

  it('streams text, shows tool state changes once each, and ends lines before other output', () => {
    const out = render([
      ev(1, 'prompt_queued', {
        messageId: 'm1',
        author: { name: 'Ada', email: 'ada@example.com' },
        position: 0,
      }),
      ev(2, 'sandbox_event', { messageId: 'm1', kind: 'text', partId: 'p1', delta: 'Hel' }),
      ev(3, 'sandbox_event', { messageId: 'm1', kind: 'text', partId: 'p1', delta: 'lo' }),
      ev(4, 'sandbox_event', { messageId: 'm1', kind: 'tool', callId: 'c', tool: 'bash', status: 'pending' }),
      ev(5, 'sandbox_event', {
        messageId: 'm1',
        kind: 'tool',
        callId: 'c',
        tool: 'bash',
        status: 'running',
        title: 'npm test',
      }),
      ev(6, 'sandbox_event', {
        messageId: 'm1',
        kind: 'tool',
        callId: 'c',
        tool: 'bash',
        status: 'running',
        title: 'npm test',
      }),
      ev(7, 'sandbox_event', {
        messageId: 'm1',
        kind: 'tool',
        callId: 'c',
        tool: 'bash',
        status: 'error',
        error: 'exit 1',
      }),
      ev(8, 'sandbox_event', { messageId: 'm1', kind: 'text', partId: 'p2', delta: 'Done' }),
      ev(9, 'sandbox_event', { messageId: 'm1', kind: 'step', tokens: { input: 10, output: 5 }, cost: 0.5 }),
      ev(10, 'prompt_completed', { messageId: 'm1', outcome: 'failed', error: 'boom' }),
    ]);
    expect(out).toBe(
      [
        '▶ Ada: fix it (m1, starting)',
        'Hello',
        '  ⚙ bash npm test',
        '  ✗ bash: exit 1',
        'Done',
        '  step: 10 in / 5 out tokens, $0.5000',
        '✗ prompt m1 failed: boom',
        '',
      ].join('\n'),
    );
  });

  it('sandbox phases, artifacts, and events it cannot read', () => {
    const out = render([
      ev(1, 'sandbox_spawning', { mode: 'snapshot' }),
      ev(2, 'sandbox_status', { status: 'running' }),
      ev(3, 'sandbox_status', {
        status: 'setup',
        phase: 'setup',
        durationMs: 2500,
        output: 'ran setup.sh\nmore',
      }),
      ev(4, 'sandbox_ready', { durationMs: 3000 }),
      ev(5, 'sandbox_error', { message: 'line one\nline two', phase: 'start' }),
      ev(6, 'artifact_created', {
        id: 'a',
        type: 'branch',
        url: null,
        data: { branch: 'nightshift/x' },
        createdAt: '2025-01-01T00:00:00Z',
      }),
      ev(7, 'snapshot_saved', { snapshotId: 's', reason: 'idle' }),
      ev(8, 'prompt_queued', { messageId: 'm1' }),
    ]);
    expect(out).toBe(
      [
        'sandbox: starting (snapshot)',
        'sandbox: setup 2.5s — ran setup.sh',
        'sandbox ready in 3.0s',
        '✗ sandbox error (start): line one',
        '    line two',
        '● branch nightshift/x',
        'snapshot saved (idle)',
        '#8 prompt_queued',
        '',
      ].join('\n'),
    );
  });
});

describe('progress line', () => {
  it('redraws in place, prints above itself, and never overwrites a half-written line', () => {
    let out = '';
    let now = 0;
    const progress = new ProgressLine({ write: (t) => (out += t), columns: 80 }, () => now);
    progress.show('starting sandbox');
    now = 1500;
    progress.print('line above\n');
    expect(out).toBe('\r\x1b[2K⠙ starting sandbox 0.0s\r\x1b[2Kline above\n\r\x1b[2K⠹ starting sandbox 1.5s');
    out = '';
    progress.print('partial');
    expect(out).toBe('\r\x1b[2Kpartial');
    progress.hide();
    expect(progress.active).toBe(false);
  });
});
