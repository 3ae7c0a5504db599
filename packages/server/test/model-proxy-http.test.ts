/**
 * The model proxy over real HTTP, in both wire formats, against the testkit's scripted model: the
 * real key reaches the provider and never the caller, answers stream through as they are written,
 * a bad credential is refused in the provider's own error shape, usage is booked to the prompt's
 * author at the table's price, and a used-up budget stops the next call.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hang, startModelServer, text, type ModelServer } from '@nightshift/testkit';
import { openSqliteStore } from '../src/store/sqlite.js';
import type { Store } from '../src/store/store.js';
import { createLogger } from '../src/log.js';
import { upstreamsFrom } from '../src/models/providers.js';
import { createModelProxy } from '../src/models/proxy.js';
import { UsageLedger } from '../src/models/usage-ledger.js';
import { startTestServer, tempDir } from './support/harness.js';
import { activeSession, runningPrompt } from './support/store-records.js';

const CANARY_KEY = `sk-canary-${randomBytes(12).toString('hex')}`;
const CREDENTIAL = `nsm-${randomBytes(16).toString('hex')}`;
const OTHER_CREDENTIAL = `nsm-${randomBytes(16).toString('hex')}`;
const ADA = { name: 'Ada Lovelace', email: 'ada@example.com' };
const PRICES = {
  'anthropic/scripted': { input: 3, output: 15 },
  'openai-compatible/scripted': { input: 1, output: 2 },
};

let model: ModelServer;
let store: Store;
let proxyUrl: string;
let proxyServer: http.Server;
let budgetUsdPerDay: number | null = null;
const sessions = new Map([
  [CREDENTIAL, 'ses_a'],
  [OTHER_CREDENTIAL, 'ses_b'],
]);

beforeAll(async () => {
  model = await startModelServer({ apiKey: CANARY_KEY, models: ['scripted'], answerSideTasks: false });
  store = await openSqliteStore(path.join(tempDir('ns-proxy-'), 'nightshift.db'));
  for (const id of ['ses_a', 'ses_b']) await store.sessions.insert(activeSession(id));
  await store.messages.insert(runningPrompt({ id: 'msg_a', sessionId: 'ses_a', author: ADA }));
  const upstreams = upstreamsFrom({
    ANTHROPIC_API_KEY: CANARY_KEY,
    ANTHROPIC_BASE_URL: model.baseUrl,
    NIGHTSHIFT_OPENAI_COMPATIBLE_BASE_URL: model.baseUrl,
    NIGHTSHIFT_OPENAI_COMPATIBLE_API_KEY: CANARY_KEY,
  });
  const ledger = new UsageLedger({ store, prices: PRICES, budgetUsdPerDay: null });
  // The budget is read per call: tests change it in place.
  Object.defineProperty(ledger, 'options', {
    value: {
      store,
      prices: PRICES,
      get budgetUsdPerDay() {
        return budgetUsdPerDay;
      },
    },
  });
  const proxy = createModelProxy({
    upstreams,
    sessionForCredential: (c) => sessions.get(c),
    ledger,
    log: createLogger('silent'),
  });
  // The door a sandbox comes through is named by its path here: `/door/<session>/model-proxy/…`.
  proxyServer = http.createServer((req, res) => {
    const door = /^\/door\/([^/]+)(\/.*)$/.exec(req.url ?? '');
    if (door) req.url = door[2];
    void proxy(req, res, door?.[1]);
  });
  await new Promise<void>((r) => proxyServer.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxyServer.address() as AddressInfo).port}/model-proxy`;
});
afterEach(() => {
  budgetUsdPerDay = null;
});
afterAll(async () => {
  proxyServer?.close();
  await model?.close();
  await store?.close();
});

const FORMATS = {
  anthropic: {
    path: '/anthropic/messages',
    headers: (credential: string) => ({ 'x-api-key': credential, 'anthropic-version': '2023-06-01' }),
    body: (stream: boolean) => ({
      model: 'scripted',
      max_tokens: 100,
      stream,
      messages: [{ role: 'user', content: 'hello' }],
    }),
    error: () =>
      expect.objectContaining({
        type: 'error',
        error: expect.objectContaining({ type: expect.any(String), message: expect.any(String) }),
      }),
    price: PRICES['anthropic/scripted'],
    provider: 'anthropic',
  },
  openai: {
    path: '/openai-compatible/chat/completions',
    headers: (credential: string) => ({ authorization: `Bearer ${credential}` }),
    body: (stream: boolean) => ({
      model: 'scripted',
      stream,
      messages: [{ role: 'user', content: 'hello' }],
    }),
    error: () =>
      expect.objectContaining({
        error: expect.objectContaining({ message: expect.any(String), type: expect.any(String) }),
      }),
    price: PRICES['openai-compatible/scripted'],
    provider: 'openai-compatible',
  },
} as const;

function post(url: string, headers: Record<string, string>, body: unknown) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

describe.each(Object.entries(FORMATS))('the model proxy, %s wire format', (_, format) => {
  it('adds the real key on the way out; the caller never sees it', async () => {
    model.push(text('Hello from upstream.'));
    const before = model.requests.length;
    const answer = await post(proxyUrl + format.path, format.headers(CREDENTIAL), format.body(false));
    const body = await answer.text();
    expect(answer.status).toBe(200);
    expect(body).toContain('Hello from upstream.');
    const got = model.requests.slice(before);
    expect(got.map((r) => r.apiKey)).toEqual([CANARY_KEY]); // the provider got the real key
    expect(JSON.stringify(got.map((r) => r.body))).not.toContain(CREDENTIAL);
    expect(body).not.toContain(CANARY_KEY);
    expect(JSON.stringify([...answer.headers])).not.toContain(CANARY_KEY);
  });

  it('streams the answer as it is written: the first text arrives while the provider still holds the stream open', async () => {
    model.push(hang('First words'));
    const abort = new AbortController();
    const answer = await fetch(proxyUrl + format.path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...format.headers(CREDENTIAL) },
      body: JSON.stringify(format.body(true)),
      signal: abort.signal,
    });
    expect(answer.headers.get('content-type')).toContain('text/event-stream');
    const reader = answer.body!.getReader();
    let seen = '';
    while (!seen.includes('First words')) {
      const { value, done } = await reader.read();
      expect(done, 'the stream ended before the provider did').toBe(false);
      seen += new TextDecoder().decode(value);
    }
    abort.abort();
  });

  it('refuses a missing, wrong or other door’s credential with 401 in the provider’s error shape', async () => {
    const before = model.requests.length;
    const doorUrl = (session: string) => proxyUrl.replace('/model-proxy', `/door/${session}/model-proxy`);
    const attempts = [
      post(proxyUrl + format.path, {}, format.body(false)),
      post(proxyUrl + format.path, format.headers('nsm-wrong'), format.body(false)),
      post(proxyUrl + format.path, format.headers(CANARY_KEY), format.body(false)),
      // A credential is good only through its own sandbox's door.
      post(doorUrl('ses_b') + format.path, format.headers(CREDENTIAL), format.body(false)),
    ];
    for (const answer of await Promise.all(attempts)) {
      expect(answer.status).toBe(401);
      expect(await answer.json()).toEqual(format.error());
    }
    expect(model.requests.length).toBe(before); // nothing reached the provider
  });

  it('books the usage to the running prompt’s author at the table’s price, streamed or not', async () => {
    for (const stream of [false, true]) {
      const usage = { promptTokens: 1000, completionTokens: 200 };
      model.push(text('Counted.', { usage }));
      const before = await store.usage.totals({ messageId: 'msg_a' });
      const answer = await post(proxyUrl + format.path, format.headers(CREDENTIAL), format.body(stream));
      await answer.text();
      const after = await store.usage.totals({ messageId: 'msg_a' });
      expect(after.inputTokens - before.inputTokens).toBe(1000);
      expect(after.outputTokens - before.outputTokens).toBe(200);
      expect(after.costUsd - before.costUsd).toBeCloseTo(
        (1000 * format.price.input + 200 * format.price.output) / 1e6,
        9,
      );
    }
    const people = await store.usage.byPerson({ sessionId: 'ses_a' });
    expect(people).toEqual([expect.objectContaining({ email: ADA.email, name: ADA.name })]);
    const models = (await store.usage.byModel({ sessionId: 'ses_a' })).map((m) => m.model);
    expect(models).toContain(`${format.provider}/scripted`);
  });

  it('refuses a call once the author has used the day’s budget: 429 in the provider’s shape, saying why', async () => {
    const spent = await store.usage.totals({ email: ADA.email });
    model.push(text('Counted.', { usage: { promptTokens: 10, completionTokens: 10 } }));
    await (await post(proxyUrl + format.path, format.headers(CREDENTIAL), format.body(false))).text();
    budgetUsdPerDay = spent.costUsd + 1e-9;
    const before = model.requests.length;
    const answer = await post(proxyUrl + format.path, format.headers(CREDENTIAL), format.body(false));
    expect(answer.status).toBe(429);
    const body = (await answer.json()) as { error: { message: string } };
    expect(body).toEqual(format.error());
    expect(body.error.message).toMatch(
      /^ada@example\.com has used today's model budget of \$.+ \(resets 00:00 UTC\)$/,
    );
    expect(model.requests.length).toBe(before);
  });
});

it('passes the provider’s own errors through, status and body', async () => {
  const answer = await post(
    proxyUrl + '/openai-compatible/chat/completions',
    FORMATS.openai.headers(CREDENTIAL),
    {
      model: 'scripted',
      messages: 'not an array',
    },
  );
  expect(answer.status).toBe(400);
  expect(await answer.json()).toMatchObject({ error: { message: 'messages must be an array' } });
});

it('answers 404 for a provider that is not configured', async () => {
  const answer = await post(proxyUrl + '/google/v1/models', FORMATS.openai.headers(CREDENTIAL), {});
  expect(answer.status).toBe(404);
  expect(await answer.json()).toMatchObject({ error: { message: expect.stringContaining('google') } });
});

it('is not there for anyone but sandboxes: the control plane answers 404 to a client outside', async () => {
  const server = await startTestServer({ openaiCompatible: { baseUrl: model.baseUrl, apiKey: CANARY_KEY } });
  try {
    const before = model.requests.length;
    const answer = await post(
      `${server.url}/model-proxy/openai-compatible/chat/completions`,
      FORMATS.openai.headers(CREDENTIAL),
      FORMATS.openai.body(false),
    );
    expect(answer.status).toBe(404);
    expect(await answer.json()).toMatchObject({ error: { code: 'not_found' } });
    expect(model.requests.length).toBe(before);
  } finally {
    await server.stopAndClean();
  }
});
