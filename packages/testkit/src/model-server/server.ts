/**
 * A scripted model behind real OpenAI-compatible and Anthropic HTTP endpoints, so OpenCode (or
 * anything using `@ai-sdk/openai-compatible` or `@ai-sdk/anthropic`) runs for real against
 * answers a test decides.
 *
 *   POST /v1/chat/completions   OpenAI Chat Completions, streaming (SSE) and non-streaming
 *   POST /v1/messages           Anthropic Messages, streaming (SSE) and non-streaming
 *   GET  /v1/models
 *
 * Every chat request is recorded. Side tasks (OpenCode's session-title generation) get a default
 * answer without consuming the script, so a test's turns line up with the agent's real steps.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseChatRequest, type ChatRequest } from './request.js';
import { classifySideTask, sideTaskTurn, type SideTask } from './side-tasks.js';
import { type Turn, providerError } from './turns.js';
import { completionBody, errorBody, streamFrames } from './wire.js';
import {
  messagesBody,
  messagesErrorBody,
  messagesStreamFrames,
  parseMessagesRequest,
} from './anthropic-wire.js';

/** The wire format a request came in: OpenAI Chat Completions or Anthropic Messages. */
export type WireFormat = 'openai' | 'anthropic';

export type Responder = (request: ChatRequest, context: { scriptedCount: number }) => Turn | undefined;

export interface ModelServerOptions {
  /** Answers for successive scripted requests, in order. */
  turns?: Turn[];
  /**
   * Called first for each scripted request; return a turn to answer with it, or undefined to take
   * the next queued turn instead.
   */
  respond?: Responder;
  /** Model ids listed by `GET /v1/models`. */
  models?: string[];
  /** Answer side tasks (title generation) by default instead of from the script. Default true. */
  answerSideTasks?: boolean;
  /**
   * When set, requests must carry it: `Authorization: Bearer <apiKey>` (OpenAI) or `x-api-key`
   * (Anthropic); 401 otherwise.
   */
  apiKey?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
  /** Set for chat requests, in either wire format (Anthropic's read into the chat shape). */
  chat?: ChatRequest;
  /** Which endpoint it came to. */
  format?: WireFormat;
  /** The key the request carried (bearer token or `x-api-key`), as the provider would see it. */
  apiKey?: string;
  /** Set when the request was recognised as a side task and answered by default. */
  sideTask?: SideTask;
  /** The turn it was answered with. */
  turn?: Turn;
}

export interface ModelServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `http://127.0.0.1:<port>/v1`, what an OpenAI-compatible client takes as its base URL. */
  baseUrl: string;
  /** Every request, in arrival order. */
  readonly requests: RecordedRequest[];
  /** The chat requests answered from the script (side tasks excluded). */
  scriptedRequests(): ChatRequest[];
  /** Appends turns to the queue. */
  push(...turns: Turn[]): void;
  /** Turns still queued. */
  remainingTurns(): number;
  /** Resolves when `count` scripted requests have arrived. */
  waitForScriptedRequests(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const SCRIPT_EXHAUSTED_MESSAGE =
  'nightshift testkit model server: the script has no turn left for this request';

export async function startModelServer(options: ModelServerOptions = {}): Promise<ModelServer> {
  const queue: Turn[] = [...(options.turns ?? [])];
  const requests: RecordedRequest[] = [];
  const waiters = new Set<() => void>();
  let completionCounter = 0;
  let callCounter = 0;

  const scriptedRequests = () =>
    requests.filter((r) => r.chat && !r.sideTask).map((r) => r.chat as ChatRequest);

  function chooseTurn(chat: ChatRequest, record: RecordedRequest): Turn {
    if (options.answerSideTasks !== false) {
      const sideTask = classifySideTask(chat);
      if (sideTask) {
        record.sideTask = sideTask;
        return sideTaskTurn(sideTask, chat);
      }
    }
    const scriptedCount = scriptedRequests().length;
    return (
      options.respond?.(chat, { scriptedCount }) ??
      queue.shift() ??
      providerError(500, SCRIPT_EXHAUSTED_MESSAGE)
    );
  }

  async function answerChat(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    body: unknown,
    format: WireFormat,
  ) {
    const key = keyOf(req);
    const record: RecordedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      body,
      format,
      ...(key ? { apiKey: key } : {}),
    };
    requests.push(record);
    const fail = (status: number, message: string, extra: Partial<Extract<Turn, { type: 'error' }>> = {}) =>
      format === 'anthropic'
        ? messagesErrorBody(status, message, extra.errorType)
        : errorBody({ type: 'error', status, message, ...extra });
    let chat: ChatRequest;
    try {
      chat = format === 'anthropic' ? parseMessagesRequest(body) : parseChatRequest(body);
    } catch (error) {
      return sendJson(res, 400, fail(400, (error as Error).message));
    }
    record.chat = chat;
    const turn = chooseTurn(chat, record);
    record.turn = turn;
    for (const wake of waiters) wake();

    if (turn.type === 'error')
      return sendJson(
        res,
        turn.status,
        format === 'anthropic'
          ? messagesErrorBody(turn.status, turn.message, turn.errorType)
          : errorBody(turn),
        turn.retryAfterMs !== undefined ? { 'retry-after-ms': String(turn.retryAfterMs) } : {},
      );
    completionCounter += 1;
    const ids = {
      completionId: `chatcmpl-scripted-${completionCounter}`,
      model: chat.model,
      created: Math.floor(Date.now() / 1000),
      nextCallId: () => `call_scripted_${++callCounter}`,
    };
    const promptChars = JSON.stringify(chat.messages).length;

    const anthropicIds = {
      messageId: `msg_scripted_${completionCounter}`,
      model: chat.model,
      nextCallId: () => `toolu_scripted_${++callCounter}`,
    };

    if (!chat.stream) {
      if (turn.type === 'hang') return; // never answered; the connection closes with the server
      return sendJson(
        res,
        200,
        format === 'anthropic'
          ? messagesBody(turn, anthropicIds, promptChars)
          : completionBody(turn, ids, promptChars),
      );
    }

    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    const frames =
      format === 'anthropic'
        ? messagesStreamFrames(turn, anthropicIds, promptChars)
        : streamFrames(turn, ids, promptChars);
    for (const frame of frames) {
      if (frame.delayMs > 0) await sleep(frame.delayMs);
      if (res.destroyed || res.writableEnded) return; // the client went away (e.g. an abort)
      // Anthropic names each event; OpenAI sends bare data lines.
      const name = format === 'anthropic' ? `event: ${String(frame.chunk.type)}\n` : '';
      res.write(`${name}data: ${JSON.stringify(frame.chunk)}\n\n`);
    }
    if (turn.type === 'hang') return; // leave the stream open until the client or the server closes it
    res.end(format === 'anthropic' ? '' : 'data: [DONE]\n\n');
  }

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const anthropic = path === '/v1/messages' || path === '/messages';
    if (options.apiKey && keyOf(req) !== options.apiKey) {
      if (anthropic)
        return sendJson(res, 401, messagesErrorBody(401, 'invalid x-api-key', 'authentication_error'));
      return sendJson(
        res,
        401,
        errorBody({
          type: 'error',
          status: 401,
          message: 'Incorrect API key provided.',
          code: 'invalid_api_key',
        }),
      );
    }
    if (req.method === 'GET' && (path === '/v1/models' || path === '/models')) {
      requests.push({ method: 'GET', path, body: null });
      const models = options.models ?? ['scripted'];
      return sendJson(res, 200, {
        object: 'list',
        data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'nightshift-testkit' })),
      });
    }
    if (
      req.method === 'POST' &&
      (anthropic || path === '/v1/chat/completions' || path === '/chat/completions')
    ) {
      const format: WireFormat = anthropic ? 'anthropic' : 'openai';
      readJson(req)
        .then((body) => answerChat(req, res, body, format))
        .catch((error: Error) =>
          sendJson(
            res,
            400,
            errorBody({ type: 'error', status: 400, message: `invalid JSON: ${error.message}` }),
          ),
        );
      return;
    }
    sendJson(
      res,
      404,
      errorBody({ type: 'error', status: 404, message: `no route for ${req.method} ${path}` }),
    );
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    baseUrl: `${url}/v1`,
    requests,
    scriptedRequests,
    push: (...turns) => void queue.push(...turns),
    remainingTurns: () => queue.length,
    waitForScriptedRequests(count, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (scriptedRequests().length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${count} scripted requests, got ${scriptedRequests().length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections(); // hanging streams would otherwise keep close() waiting
        server.close(() => resolve());
      }),
  };
}

function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', reject);
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (error) {
        reject(error as Error);
      }
    });
  });
}

/** The key as each SDK sends it: Anthropic's `x-api-key`, OpenAI's bearer token. */
function keyOf(req: http.IncomingMessage): string | undefined {
  const apiKey = req.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey) return apiKey;
  return /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
}
