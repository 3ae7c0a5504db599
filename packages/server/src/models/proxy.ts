/**
 * The model proxy: sandboxes reach their model providers only through it, with a per-sandbox
 * credential; the real key is added here, outside the sandbox, on the way out. Answers stream
 * back chunk by chunk as they arrive (first-token latency is what a person waits on), and the
 * usage they report is booked to the prompt that caused them.
 *
 *   <any method> /model-proxy/<provider>/<path>  →  <provider's base URL>/<path>
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import type { Upstream, WireFormat } from './providers.js';
import { proxyErrorBody, STATUS_OF, type ProxyErrorKind } from './wire-errors.js';
import { StreamUsageReader, usageOfBody, type CallUsage } from './usage-parse.js';
import type { Attribution, Bookkeeper } from './usage-ledger.js';

export const MODEL_PROXY_PREFIX = '/model-proxy/';

/** What a model request may weigh: long contexts with images run to megabytes. */
const MAX_REQUEST_BYTES = 64 * 1024 * 1024;

/** Never forwarded: they describe one connection, or carry the sandbox's own credential. */
const DROPPED_REQUEST_HEADERS = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'content-length',
  'authorization',
  'x-api-key',
  'api-key',
  // Answers are read on the way through (usage); they must come uncompressed.
  'accept-encoding',
]);

const DROPPED_RESPONSE_HEADERS = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'trailer',
  'upgrade',
  'content-length',
  'content-encoding',
]);

export interface ModelProxyOptions {
  upstreams: ReadonlyMap<string, Upstream>;
  /** The session whose live sandbox was given this credential (`modelCredentialFor`), if any. */
  sessionForCredential(credential: string): string | undefined;
  /** Where calls are attributed, checked against the budget and booked. */
  ledger: Bookkeeper;
  log: Logger;
}

export type ModelProxy = (req: IncomingMessage, res: ServerResponse, doorSession?: string) => Promise<void>;

export function createModelProxy(options: ModelProxyOptions): ModelProxy {
  const { upstreams, ledger, log } = options;

  return async (req, res, doorSession) => {
    const rest = (req.url ?? '/').slice(MODEL_PROXY_PREFIX.length);
    const slash = rest.indexOf('/');
    const providerId = slash < 0 ? rest : rest.slice(0, slash);
    const upstreamPath = slash < 0 ? '' : rest.slice(slash);
    const upstream = upstreams.get(providerId);
    const wire: WireFormat = upstream?.provider.wire ?? 'openai';
    const fail = (kind: ProxyErrorKind, message: string) => {
      if (res.headersSent) return void res.destroy();
      res.writeHead(STATUS_OF[kind], { 'content-type': 'application/json' });
      res.end(JSON.stringify(proxyErrorBody(wire, kind, message)));
    };

    const sessionId = sessionOf(req, options.sessionForCredential);
    // Through a door, only that door's sandbox's credential: one sandbox cannot spend as another.
    if (!sessionId || (doorSession !== undefined && doorSession !== sessionId))
      return fail('authentication', 'nightshift model proxy: invalid or missing sandbox credential');
    if (!upstream)
      return fail(
        'not_found',
        `nightshift model proxy: provider ${providerId || '(none)'} is not configured`,
      );

    const body = await readBody(req, MAX_REQUEST_BYTES);
    if (body === 'too_large')
      return fail('too_large', `nightshift model proxy: request body over ${MAX_REQUEST_BYTES} bytes`);
    const { payload, requestedModel } = prepareRequest(wire, upstreamPath, body);

    const call = await ledger.attribute(sessionId);
    const refusal = await ledger.refusal(call);
    if (refusal) return fail('budget', refusal);

    const abort = new AbortController();
    res.on('close', () => abort.abort());
    let answer: Response;
    try {
      answer = await fetch(upstream.baseUrl + upstreamPath, {
        method: req.method ?? 'GET',
        headers: upstreamHeaders(req, upstream),
        ...(payload && req.method !== 'GET' && req.method !== 'HEAD'
          ? { body: new Uint8Array(payload) }
          : {}),
        signal: abort.signal,
        redirect: 'manual',
      });
    } catch (err) {
      if (abort.signal.aborted) return;
      log.warn({ provider: providerId, err: errorText(err) }, 'model proxy: upstream unreachable');
      return fail('upstream', `nightshift model proxy: ${providerId} could not be reached`);
    }

    const headers: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (!DROPPED_RESPONSE_HEADERS.has(name)) headers[name] = value;
    });
    res.writeHead(answer.status, headers);
    res.flushHeaders();
    const streamed = (answer.headers.get('content-type') ?? '').includes('text/event-stream');
    const reader = new StreamUsageReader(wire, requestedModel);
    const kept: Buffer[] = [];
    let keptBytes = 0;
    const decoder = new TextDecoder();
    try {
      if (answer.body)
        for await (const chunk of answer.body as unknown as AsyncIterable<Uint8Array>) {
          // A slow reader slows the upstream read, rather than piling the answer up here.
          if (!res.write(chunk)) await drained(res);
          if (streamed) reader.push(decoder.decode(chunk, { stream: true }));
          else if (keptBytes < MAX_REQUEST_BYTES) {
            kept.push(Buffer.from(chunk));
            keptBytes += chunk.byteLength;
          }
        }
    } catch (err) {
      if (!abort.signal.aborted)
        log.warn({ provider: providerId, err: errorText(err) }, 'model proxy: the answer broke off');
      res.destroy();
    }
    // Booked before the answer ends: the prompt cannot complete (and total its usage) before that.
    const usage: CallUsage = streamed
      ? reader.usage
      : usageOfBody(wire, requestedModel, Buffer.concat(kept).toString('utf8'));
    if (answer.status >= 200 && answer.status < 300 && usage.reported)
      await book(ledger, call, providerId, usage, log);
    if (!res.destroyed) res.end();
  };
}

async function book(
  ledger: Bookkeeper,
  call: Attribution,
  provider: string,
  usage: CallUsage,
  log: Logger,
): Promise<void> {
  try {
    await ledger.record(call, provider, usage);
  } catch (err) {
    log.error({ err: errorText(err), sessionId: call.sessionId }, 'model proxy: could not record usage');
  }
}

/** The credential as each SDK sends it: Anthropic's `x-api-key`, OpenAI's bearer token. */
function sessionOf(
  req: IncomingMessage,
  lookup: (credential: string) => string | undefined,
): string | undefined {
  const apiKey = req.headers['x-api-key'];
  const bearer = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const credential = typeof apiKey === 'string' && apiKey ? apiKey : bearer;
  return credential ? lookup(credential) : undefined;
}

function upstreamHeaders(req: IncomingMessage, upstream: Upstream): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || DROPPED_REQUEST_HEADERS.has(name)) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  headers.set('accept-encoding', 'identity');
  if (upstream.key) {
    if (upstream.provider.wire === 'anthropic') headers.set('x-api-key', upstream.key);
    else headers.set('authorization', `Bearer ${upstream.key}`);
  }
  return headers;
}

/**
 * The body as sent on, and the model it asks for. A streamed Chat Completions request is made to
 * report its usage in its last chunk (`stream_options.include_usage`), which it does not by default.
 */
export function prepareRequest(
  wire: WireFormat,
  path: string,
  body: Buffer,
): { payload: Buffer | null; requestedModel: string | null } {
  if (body.length === 0) return { payload: null, requestedModel: null };
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return { payload: body, requestedModel: null };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return { payload: body, requestedModel: null };
  const request = json as Record<string, unknown>;
  const requestedModel = typeof request.model === 'string' ? request.model : null;
  const chat = wire === 'openai' && /\/chat\/completions$/.test(path.split('?')[0] ?? '');
  const options = request.stream_options;
  if (chat && request.stream === true && !(isRecord(options) && options.include_usage === true)) {
    request.stream_options = { ...(isRecord(options) ? options : {}), include_usage: true };
    return { payload: Buffer.from(JSON.stringify(request)), requestedModel };
  }
  return { payload: body, requestedModel };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        resolve('too_large');
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** An error's message alone: a fetch error's cause can quote request headers, the key among them. */
function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}
