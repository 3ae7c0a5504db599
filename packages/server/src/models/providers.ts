/**
 * The model providers the control plane proxies for sandboxes: which wire format each speaks,
 * where its real key and endpoint come from, and the endpoint used when none is configured.
 * A provider whose key is set but which is not here (Google's own format) is not proxied, and its
 * key stays out of sandboxes: see `unproxiedKeyVariables`.
 */

/** Anthropic's Messages API, or OpenAI's Chat Completions (and Responses) API. */
export type WireFormat = 'anthropic' | 'openai';

export interface ProviderSpec {
  /** OpenCode's provider id, the first part of `provider/model`. */
  id: string;
  wire: WireFormat;
  /** Where the real key is read from on the control plane. */
  keyVariable: string;
  /** Overrides the endpoint (tests, gateways, GitHub Enterprise-like setups). */
  baseUrlVariable: string;
  /** null: there is no public endpoint; the provider needs its base URL set. */
  defaultBaseUrl: string | null;
  /** A key is needed to reach it at all (local OpenAI-compatible servers take none). */
  keyRequired: boolean;
}

export const OPENAI_COMPATIBLE = 'openai-compatible';

export const PROVIDERS: readonly ProviderSpec[] = [
  spec('anthropic', 'anthropic', 'ANTHROPIC', 'https://api.anthropic.com/v1'),
  spec('openai', 'openai', 'OPENAI', 'https://api.openai.com/v1'),
  spec('openrouter', 'openai', 'OPENROUTER', 'https://openrouter.ai/api/v1'),
  spec('groq', 'openai', 'GROQ', 'https://api.groq.com/openai/v1'),
  spec('mistral', 'openai', 'MISTRAL', 'https://api.mistral.ai/v1'),
  spec('xai', 'openai', 'XAI', 'https://api.x.ai/v1'),
  spec('deepseek', 'openai', 'DEEPSEEK', 'https://api.deepseek.com/v1'),
  spec('togetherai', 'openai', 'TOGETHER_AI', 'https://api.together.xyz/v1'),
  {
    id: OPENAI_COMPATIBLE,
    wire: 'openai',
    keyVariable: 'NIGHTSHIFT_OPENAI_COMPATIBLE_API_KEY',
    baseUrlVariable: 'NIGHTSHIFT_OPENAI_COMPATIBLE_BASE_URL',
    defaultBaseUrl: null,
    keyRequired: false,
  },
];

function spec(id: string, wire: WireFormat, prefix: string, defaultBaseUrl: string): ProviderSpec {
  return {
    id,
    wire,
    keyVariable: `${prefix}_API_KEY`,
    baseUrlVariable: `${prefix}_BASE_URL`,
    defaultBaseUrl,
    keyRequired: true,
  };
}

/** A provider the proxy forwards to: its real endpoint and key (secret: never log it). */
export interface Upstream {
  provider: ProviderSpec;
  baseUrl: string;
  key: string | null;
}

/**
 * The upstreams this control plane can serve, from its environment: a provider counts when it
 * has a key (or, for openai-compatible, an endpoint).
 */
export function upstreamsFrom(env: Record<string, string | undefined>): Map<string, Upstream> {
  const upstreams = new Map<string, Upstream>();
  for (const provider of PROVIDERS) {
    const key = env[provider.keyVariable]?.trim() || null;
    const baseUrl = env[provider.baseUrlVariable]?.trim() || provider.defaultBaseUrl;
    if (!baseUrl || (provider.keyRequired && !key)) continue;
    upstreams.set(provider.id, { provider, baseUrl: baseUrl.replace(/\/+$/, ''), key });
  }
  return upstreams;
}

/** Provider keys set here that no proxied provider uses: they are not passed to any sandbox. */
export function unproxiedKeyVariables(env: Record<string, string | undefined>): string[] {
  const known = new Set(PROVIDERS.map((p) => p.keyVariable));
  return Object.keys(env)
    .filter((name) => /^[A-Z0-9_]+_API_KEY$/.test(name) && !name.startsWith('NIGHTSHIFT_'))
    .filter((name) => !known.has(name) && env[name]?.trim())
    .sort();
}
