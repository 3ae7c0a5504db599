/**
 * Errors the proxy itself answers, in the shape the provider's own SDK reads, so OpenCode shows
 * the message (a budget used up, a bad credential) instead of failing to parse the answer.
 */
import type { WireFormat } from './providers.js';

export type ProxyErrorKind = 'authentication' | 'not_found' | 'budget' | 'too_large' | 'upstream';

const ANTHROPIC_TYPES: Record<ProxyErrorKind, string> = {
  authentication: 'authentication_error',
  not_found: 'not_found_error',
  budget: 'rate_limit_error',
  too_large: 'request_too_large',
  upstream: 'api_error',
};

const OPENAI_TYPES: Record<ProxyErrorKind, { type: string; code: string | null }> = {
  authentication: { type: 'invalid_request_error', code: 'invalid_api_key' },
  not_found: { type: 'invalid_request_error', code: 'not_found' },
  budget: { type: 'insufficient_quota', code: 'budget_exceeded' },
  too_large: { type: 'invalid_request_error', code: 'request_too_large' },
  upstream: { type: 'server_error', code: null },
};

export const STATUS_OF: Record<ProxyErrorKind, number> = {
  authentication: 401,
  not_found: 404,
  budget: 429,
  too_large: 413,
  upstream: 502,
};

export function proxyErrorBody(wire: WireFormat, kind: ProxyErrorKind, message: string): unknown {
  if (wire === 'anthropic') return { type: 'error', error: { type: ANTHROPIC_TYPES[kind], message } };
  const { type, code } = OPENAI_TYPES[kind];
  return { error: { message, type, param: null, code } };
}
