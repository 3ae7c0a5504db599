/**
 * The model proxy's pure parts: usage read from both wire formats (streamed in arbitrary pieces,
 * and whole), prices, the budget verdict, and the request rewrite that makes a streamed Chat
 * Completions answer report its usage.
 */
import { describe, expect, it } from 'vitest';
import { StreamUsageReader, usageOfBody } from '../src/models/usage-parse.js';
import { BUILT_IN_PRICES, costOf, parsePriceTable, priceOf } from '../src/models/prices.js';
import { budgetVerdict, utcDayStart } from '../src/models/budget.js';
import { prepareRequest } from '../src/models/proxy.js';
import { unproxiedKeyVariables, upstreamsFrom } from '../src/models/providers.js';
import { resolveConfig, ConfigError } from '../src/config.js';

const sse = (events: Array<[string | null, unknown]>) =>
  events.map(([name, data]) => `${name ? `event: ${name}\n` : ''}data: ${JSON.stringify(data)}\n\n`).join('');

/** Feeds `text` in pieces of `size` characters, as a network might cut it. */
function readInPieces(reader: StreamUsageReader, text: string, size: number) {
  for (let i = 0; i < text.length; i += size) reader.push(text.slice(i, i + size));
  return reader.usage;
}

const anthropicStream = sse([
  [
    'message_start',
    {
      type: 'message_start',
      message: {
        model: 'claude-sonnet-4-5-20250929',
        usage: {
          input_tokens: 1200,
          output_tokens: 1,
          cache_read_input_tokens: 300,
          cache_creation_input_tokens: 50,
        },
      },
    },
  ],
  [
    'content_block_delta',
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'hi' } },
  ],
  [
    'message_delta',
    { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 20 } },
  ],
  ['message_delta', { type: 'message_delta', delta: {}, usage: { output_tokens: 42 } }],
  ['message_stop', { type: 'message_stop' }],
]);

const openaiStream =
  sse([
    [null, { model: 'gpt-4o-2024-08-06', choices: [{ delta: { content: 'hi' } }], usage: null }],
    [null, { model: 'gpt-4o-2024-08-06', choices: [{ delta: {}, finish_reason: 'stop' }] }],
    [
      null,
      {
        model: 'gpt-4o-2024-08-06',
        choices: [],
        usage: { prompt_tokens: 1000, completion_tokens: 77, prompt_tokens_details: { cached_tokens: 400 } },
      },
    ],
  ]) + 'data: [DONE]\n\n';

describe('usage from a streamed answer', () => {
  it('Anthropic: input and cache tokens from message_start, the last message_delta’s output count', () => {
    for (const size of [1, 7, 64, anthropicStream.length]) {
      const usage = readInPieces(
        new StreamUsageReader('anthropic', 'claude-sonnet-4-5'),
        anthropicStream,
        size,
      );
      expect(usage).toEqual({
        model: 'claude-sonnet-4-5-20250929',
        inputTokens: 1200,
        outputTokens: 42,
        cacheReadTokens: 300,
        cacheWriteTokens: 50,
        reported: true,
      });
    }
  });

  it('OpenAI: the final chunk’s usage, cached prompt tokens apart', () => {
    for (const size of [1, 5, openaiStream.length]) {
      const usage = readInPieces(new StreamUsageReader('openai', 'gpt-4o'), openaiStream, size);
      expect(usage).toMatchObject({
        model: 'gpt-4o-2024-08-06',
        inputTokens: 600,
        cacheReadTokens: 400,
        outputTokens: 77,
      });
    }
  });

  it('a stream that carries no usage (dropped early, or an error) reports none', () => {
    const reader = new StreamUsageReader('openai', 'gpt-4o');
    reader.push('data: {"choices":[{"delta":{"content":"hal');
    expect(reader.usage.reported).toBe(false);
  });
});

describe('usage from a whole answer', () => {
  it('Anthropic and OpenAI (Chat Completions and Responses) bodies', () => {
    expect(
      usageOfBody(
        'anthropic',
        'x',
        JSON.stringify({ model: 'claude-haiku-4-5', usage: { input_tokens: 10, output_tokens: 5 } }),
      ),
    ).toMatchObject({ model: 'claude-haiku-4-5', inputTokens: 10, outputTokens: 5, reported: true });
    expect(
      usageOfBody(
        'openai',
        'x',
        JSON.stringify({ model: 'gpt-5', usage: { prompt_tokens: 8, completion_tokens: 3 } }),
      ),
    ).toMatchObject({ model: 'gpt-5', inputTokens: 8, outputTokens: 3, reported: true });
    expect(
      usageOfBody(
        'openai',
        'x',
        JSON.stringify({
          type: 'response.completed',
          response: { model: 'gpt-5', usage: { input_tokens: 9, output_tokens: 4 } },
        }),
      ),
    ).toMatchObject({ model: 'gpt-5', inputTokens: 9, outputTokens: 4 });
    expect(usageOfBody('openai', 'gpt-5', 'not json')).toMatchObject({ model: 'gpt-5', reported: false });
  });
});

describe('prices', () => {
  it('a dated model id takes its family’s price; cache tokens at their own rates', () => {
    expect(priceOf(BUILT_IN_PRICES, 'anthropic', 'claude-sonnet-4-5-20250929')).toEqual(
      BUILT_IN_PRICES['anthropic/claude-sonnet-4-5'],
    );
    const cost = costOf(BUILT_IN_PRICES, 'anthropic', {
      model: 'claude-sonnet-4-5-20250929',
      inputTokens: 1_000_000,
      outputTokens: 100_000,
      cacheReadTokens: 1_000_000,
      cacheWriteTokens: 0,
      reported: true,
    });
    expect(cost.priced).toBe(true);
    expect(cost.costUsd).toBeCloseTo(3 + 1.5 + 0.3, 9);
  });

  it('an unknown model costs nothing and is counted as unpriced', () => {
    expect(
      costOf(BUILT_IN_PRICES, 'openai-compatible', {
        model: 'qwen',
        inputTokens: 5,
        outputTokens: 5,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        reported: true,
      }),
    ).toEqual({ costUsd: 0, priced: false });
  });

  it('NIGHTSHIFT_MODEL_PRICES adds and overrides; a bad one stops the start naming the setting', () => {
    const config = resolveConfig(
      { dataDir: '/tmp/unused' },
      {
        NIGHTSHIFT_MODEL_PRICES:
          '{"openai-compatible/qwen": {"input": 1, "output": 2}, "openai/gpt-5": {"input": 9, "output": 9}}',
      },
    );
    expect(config.models.prices['openai-compatible/qwen']).toEqual({ input: 1, output: 2 });
    expect(config.models.prices['openai/gpt-5']).toEqual({ input: 9, output: 9 });
    expect(config.models.prices['anthropic/claude-sonnet-4-5']).toBeDefined();
    for (const bad of [
      'nope',
      '[]',
      '{"gpt": {"input": 1, "output": 1}}',
      '{"a/b": {"input": -1, "output": 1}}',
    ])
      expect(() => resolveConfig({ dataDir: '/tmp/unused' }, { NIGHTSHIFT_MODEL_PRICES: bad })).toThrow(
        /^NIGHTSHIFT_MODEL_PRICES: /,
      );
    expect(() => parsePriceTable('{"a/b": {"input": 1}}')).toThrow(/a\/b\.output/);
  });
});

describe('budgets', () => {
  it('NIGHTSHIFT_BUDGET_USD_PER_DAY: absent is none, invalid stops the start naming it', () => {
    expect(resolveConfig({ dataDir: '/tmp/unused' }, {}).models.budgetUsdPerDay).toBeNull();
    expect(
      resolveConfig({ dataDir: '/tmp/unused' }, { NIGHTSHIFT_BUDGET_USD_PER_DAY: '2.5' }).models
        .budgetUsdPerDay,
    ).toBe(2.5);
    for (const bad of ['0', '-1', 'ten', 'Infinity']) {
      const start = () => resolveConfig({ dataDir: '/tmp/unused' }, { NIGHTSHIFT_BUDGET_USD_PER_DAY: bad });
      expect(start).toThrow(ConfigError);
      expect(start).toThrow(/^NIGHTSHIFT_BUDGET_USD_PER_DAY: /);
    }
  });

  it('refuses once the day’s spending reaches the budget, saying whose, how much and when it resets', () => {
    expect(budgetVerdict({ budgetUsdPerDay: null, email: 'a@x.io', spentTodayUsd: 1e9 })).toBeNull();
    expect(budgetVerdict({ budgetUsdPerDay: 5, email: 'a@x.io', spentTodayUsd: 4.99 })).toBeNull();
    expect(budgetVerdict({ budgetUsdPerDay: 5, email: 'a@x.io', spentTodayUsd: 5 })).toBe(
      "a@x.io has used today's model budget of $5.00 (resets 00:00 UTC)",
    );
    expect(budgetVerdict({ budgetUsdPerDay: 0.000001, email: 'b@x.io', spentTodayUsd: 1 })).toContain(
      '$0.000001',
    );
  });

  it('the day is the UTC day', () => {
    expect(utcDayStart(new Date('2026-03-04T23:59:59-05:00'))).toBe('2026-03-05T00:00:00.000Z');
  });
});

describe('the request on its way out', () => {
  it('a streamed Chat Completions request is made to report usage; others pass unchanged', () => {
    const chat = Buffer.from(JSON.stringify({ model: 'm', stream: true, messages: [] }));
    const out = prepareRequest('openai', '/chat/completions', chat);
    expect(JSON.parse(out.payload!.toString())).toMatchObject({ stream_options: { include_usage: true } });
    expect(out.requestedModel).toBe('m');
    const asked = Buffer.from(
      JSON.stringify({ model: 'm', stream: true, stream_options: { include_usage: true } }),
    );
    expect(prepareRequest('openai', '/chat/completions', asked).payload).toBe(asked);
    const messages = Buffer.from(JSON.stringify({ model: 'c', stream: true }));
    expect(prepareRequest('anthropic', '/messages', messages).payload).toBe(messages);
  });
});

describe('providers', () => {
  it('proxies providers with a key (openai-compatible by its endpoint) and names the keys it cannot proxy', () => {
    const upstreams = upstreamsFrom({
      ANTHROPIC_API_KEY: 'k1',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:9/v1/',
      GROQ_API_KEY: 'k2',
      OPENAI_BASE_URL: 'http://nowhere/v1',
      NIGHTSHIFT_OPENAI_COMPATIBLE_BASE_URL: 'http://127.0.0.1:11434/v1',
    });
    expect([...upstreams.keys()].sort()).toEqual(['anthropic', 'groq', 'openai-compatible']);
    expect(upstreams.get('anthropic')).toMatchObject({ baseUrl: 'http://127.0.0.1:9/v1', key: 'k1' });
    expect(upstreams.get('groq')?.baseUrl).toBe('https://api.groq.com/openai/v1');
    expect(upstreams.get('openai-compatible')?.key).toBeNull();
    expect(
      unproxiedKeyVariables({ GEMINI_API_KEY: 'g', GOOGLE_GENERATIVE_AI_API_KEY: 'g', OPENAI_API_KEY: 'o' }),
    ).toEqual(['GEMINI_API_KEY', 'GOOGLE_GENERATIVE_AI_API_KEY']);
  });
});
