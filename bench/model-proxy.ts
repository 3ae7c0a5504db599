/**
 * The model proxy's added latency: time from sending a streamed model request to its first text
 * token, through the control plane's proxy (`packages/server/src/models/proxy.ts`: credential
 * check, prompt attribution and budget read from a real SQLite store, the key added, the answer
 * streamed back, its usage booked) against calling the scripted model directly, in the same run,
 * both wire formats, runs interleaved. Medians and p90 of BENCH_RUNS (default 200) per side.
 *
 *   npm run bench:proxy          (or: node --import tsx bench/model-proxy.ts)
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startModelServer, text } from '@nightshift/testkit';
import { openSqliteStore } from '../packages/server/src/store/sqlite.js';
import { createLogger } from '../packages/server/src/log.js';
import { upstreamsFrom } from '../packages/server/src/models/providers.js';
import { createModelProxy } from '../packages/server/src/models/proxy.js';
import { UsageLedger } from '../packages/server/src/models/usage-ledger.js';
import { BUILT_IN_PRICES } from '../packages/server/src/models/prices.js';
import { activeSession, runningPrompt } from '../packages/server/test/support/store-records.js';
import { loadLine, machineLine, percentile } from './support/machine.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const KEY = 'sk-bench-real-key';
const CREDENTIAL = 'bench-sandbox-credential';
const SESSION = 'ses_bench';

const model = await startModelServer({
  apiKey: KEY,
  answerSideTasks: false,
  respond: () => text('First token, then the rest of a short reply.'),
});
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ns-bench-proxy-'));
const store = await openSqliteStore(path.join(dataDir, 'nightshift.db'));
await store.sessions.insert(activeSession(SESSION));
await store.messages.insert(
  runningPrompt({
    id: 'msg_bench',
    sessionId: SESSION,
    author: { name: 'Bench', email: 'bench@example.com' },
  }),
);
const proxy = createModelProxy({
  upstreams: upstreamsFrom({
    ANTHROPIC_API_KEY: KEY,
    ANTHROPIC_BASE_URL: model.baseUrl,
    NIGHTSHIFT_OPENAI_COMPATIBLE_BASE_URL: model.baseUrl,
    NIGHTSHIFT_OPENAI_COMPATIBLE_API_KEY: KEY,
  }),
  sessionForCredential: (c) => (c === CREDENTIAL ? SESSION : undefined),
  // A budget is set, so each call pays for the budget read too.
  ledger: new UsageLedger({ store, prices: BUILT_IN_PRICES, budgetUsdPerDay: 1e6 }),
  log: createLogger('silent'),
});
const server = http.createServer((req, res) => void proxy(req, res));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const proxyUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/model-proxy`;

const FORMATS = {
  'openai chat completions': {
    direct: `${model.baseUrl}/chat/completions`,
    proxied: `${proxyUrl}/openai-compatible/chat/completions`,
    headers: (key: string) => ({ authorization: `Bearer ${key}` }),
    body: { model: 'scripted', stream: true, messages: [{ role: 'user', content: 'hello' }] },
    firstToken: /"content":"First/,
  },
  'anthropic messages': {
    direct: `${model.baseUrl}/messages`,
    proxied: `${proxyUrl}/anthropic/messages`,
    headers: (key: string) => ({ 'x-api-key': key, 'anthropic-version': '2023-06-01' }),
    body: { model: 'scripted', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'hello' }] },
    firstToken: /"text":"First/,
  },
};

/** Milliseconds from sending the request to the first text token, then the rest is read. */
async function firstTokenMs(url: string, headers: Record<string, string>, body: unknown, first: RegExp) {
  const started = performance.now();
  const answer = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  if (!answer.ok) throw new Error(`${url}: ${answer.status} ${await answer.text()}`);
  const decoder = new TextDecoder();
  let seen = '';
  let at: number | null = null;
  for await (const chunk of answer.body as unknown as AsyncIterable<Uint8Array>) {
    seen += decoder.decode(chunk, { stream: true });
    if (at === null && first.test(seen)) at = performance.now() - started;
  }
  if (at === null) throw new Error(`${url}: no first token in ${seen.slice(0, 300)}`);
  return at;
}

const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
console.log(machineLine());
console.log(`load at start: ${loadLine()}`);
console.log(`${RUNS} streamed requests per side, interleaved; time to the first text token`);
for (const [name, f] of Object.entries(FORMATS)) {
  const direct: number[] = [];
  const proxied: number[] = [];
  for (let i = 0; i < 10; i += 1) {
    // Warm-up: connections, the JIT, SQLite's page cache.
    await firstTokenMs(f.direct, f.headers(KEY), f.body, f.firstToken);
    await firstTokenMs(f.proxied, f.headers(CREDENTIAL), f.body, f.firstToken);
  }
  for (let i = 0; i < RUNS; i += 1) {
    direct.push(await firstTokenMs(f.direct, f.headers(KEY), f.body, f.firstToken));
    proxied.push(await firstTokenMs(f.proxied, f.headers(CREDENTIAL), f.body, f.firstToken));
  }
  direct.sort((a, b) => a - b);
  proxied.sort((a, b) => a - b);
  const [d50, p50] = [percentile(direct, 50), percentile(proxied, 50)];
  const [d90, p90] = [percentile(direct, 90), percentile(proxied, 90)];
  console.log(`${name}:`);
  console.log(
    `  p50 first token   proxy ${fmt(p50).padStart(9)}   direct ${fmt(d50).padStart(9)}   added ${fmt(p50 - d50).padStart(9)}   ratio ${(p50 / d50).toFixed(2)}`,
  );
  console.log(
    `  p90 first token   proxy ${fmt(p90).padStart(9)}   direct ${fmt(d90).padStart(9)}   added ${fmt(p90 - d90).padStart(9)}   ratio ${(p90 / d90).toFixed(2)}`,
  );
}
const booked = await store.usage.totals({ sessionId: SESSION });
console.log(`usage booked through the proxy: ${booked.inputTokens} in, ${booked.outputTokens} out`);
console.log(`load at end: ${loadLine()}`);

server.close();
await model.close();
await store.close();
rmSync(dataDir, { recursive: true, force: true });
