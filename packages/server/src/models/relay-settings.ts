/**
 * What a sandbox's model relay is started with: the upstreams (with their real keys) and the
 * sandbox's model credential, in one environment variable of its launcher, host side. The
 * launcher runs bubblewrap without it (`sandboxes/local/network.ts`).
 */
import { PROVIDERS, type Upstream } from './providers.js';

export const RELAY_SETTINGS_VARIABLE = 'NIGHTSHIFT_MODEL_RELAY_SETTINGS';

export interface RelaySettings {
  sessionId: string;
  credential: string;
  upstreams: Map<string, Upstream>;
}

export function encodeRelaySettings(settings: RelaySettings): string {
  return JSON.stringify({
    sessionId: settings.sessionId,
    credential: settings.credential,
    upstreams: [...settings.upstreams.values()].map((u) => ({
      id: u.provider.id,
      baseUrl: u.baseUrl,
      key: u.key,
    })),
  });
}

export function decodeRelaySettings(text: string): RelaySettings {
  const raw = JSON.parse(text) as {
    sessionId: string;
    credential: string;
    upstreams: Array<{ id: string; baseUrl: string; key: string | null }>;
  };
  const upstreams = new Map<string, Upstream>();
  for (const u of raw.upstreams) {
    const provider = PROVIDERS.find((p) => p.id === u.id);
    if (provider) upstreams.set(u.id, { provider, baseUrl: u.baseUrl, key: u.key });
  }
  return { sessionId: raw.sessionId, credential: raw.credential, upstreams };
}
