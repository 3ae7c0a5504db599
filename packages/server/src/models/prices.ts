/**
 * What a model call costs, in USD, from a price table per million tokens. Built in for a few
 * common models; NIGHTSHIFT_MODEL_PRICES adds or overrides (`{"provider/model": {"input": n,
 * "output": n}}`). A model found nowhere costs 0 and is counted as unpriced.
 */
import type { CallUsage } from './usage-parse.js';

export interface ModelPrice {
  /** USD per million input tokens. */
  input: number;
  /** USD per million output tokens. */
  output: number;
  /** Per million cached input tokens read; defaults to the input price. */
  cacheRead?: number;
  /** Per million input tokens written to the cache; defaults to the input price. */
  cacheWrite?: number;
}

export type PriceTable = Record<string, ModelPrice>;

/** List prices at the time of writing; an operator's own table wins. */
export const BUILT_IN_PRICES: PriceTable = {
  'anthropic/claude-opus-4-1': { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
  'anthropic/claude-sonnet-4-5': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  'anthropic/claude-sonnet-4': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  'anthropic/claude-haiku-4-5': { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 },
  'openai/gpt-5': { input: 1.25, output: 10, cacheRead: 0.125 },
  'openai/gpt-5-mini': { input: 0.25, output: 2, cacheRead: 0.025 },
  'openai/gpt-4.1': { input: 2, output: 8, cacheRead: 0.5 },
  'openai/gpt-4o': { input: 2.5, output: 10, cacheRead: 1.25 },
  'openai/gpt-4o-mini': { input: 0.15, output: 0.6, cacheRead: 0.075 },
};

export interface Cost {
  costUsd: number;
  priced: boolean;
}

/**
 * The price of `provider/model`. Providers report dated ids (`claude-sonnet-4-5-20250929`), so a
 * model not listed as it is falls back to the longest listed id it starts with.
 */
export function priceOf(table: PriceTable, provider: string, model: string): ModelPrice | undefined {
  const name = `${provider}/${model}`;
  if (table[name]) return table[name];
  let best: string | undefined;
  for (const listed of Object.keys(table))
    if (name.startsWith(`${listed}-`) && (!best || listed.length > best.length)) best = listed;
  return best ? table[best] : undefined;
}

export function costOf(table: PriceTable, provider: string, usage: CallUsage): Cost {
  const price = usage.model ? priceOf(table, provider, usage.model) : undefined;
  if (!price) return { costUsd: 0, priced: false };
  const perToken = (perMillion: number) => perMillion / 1_000_000;
  const costUsd =
    usage.inputTokens * perToken(price.input) +
    usage.outputTokens * perToken(price.output) +
    usage.cacheReadTokens * perToken(price.cacheRead ?? price.input) +
    usage.cacheWriteTokens * perToken(price.cacheWrite ?? price.input);
  return { costUsd, priced: true };
}

/**
 * Reads NIGHTSHIFT_MODEL_PRICES; throws an Error whose message is the one line to show (the
 * config turns it into a ConfigError naming the setting).
 */
export function parsePriceTable(text: string): PriceTable {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('must be JSON: {"provider/model": {"input": n, "output": n}}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error('must be a JSON object: {"provider/model": {"input": n, "output": n}}');
  const table: PriceTable = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (!/^[^/\s]+\/\S+$/.test(name)) throw new Error(`"${name}" is not a provider/model name`);
    const price = value as Record<string, unknown>;
    const field = (key: string, required: boolean): number | undefined => {
      const n = typeof price === 'object' && price !== null ? price[key] : undefined;
      if (n === undefined && !required) return undefined;
      if (typeof n !== 'number' || !Number.isFinite(n) || n < 0)
        throw new Error(`${name}.${key} must be a number of USD per million tokens, 0 or more`);
      return n;
    };
    const cacheRead = field('cacheRead', false);
    const cacheWrite = field('cacheWrite', false);
    table[name] = {
      input: field('input', true)!,
      output: field('output', true)!,
      ...(cacheRead !== undefined ? { cacheRead } : {}),
      ...(cacheWrite !== undefined ? { cacheWrite } : {}),
    };
  }
  return table;
}
