/**
 * The part of the WebSocket API the follower uses: what the browser's `WebSocket` and the `ws`
 * package's both provide, so either can be injected.
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** `ws` can drop a connection at once; a browser can only close it (and wait for the peer). */
  terminate?(): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
  addEventListener(type: 'error', listener: (event: { message?: string; error?: unknown }) => void): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** `readyState` of an open socket, the same in every implementation. */
export const OPEN = 1;

/** The ws:// (or wss://) address of `path` on the server at `baseUrl` ('' = this page's origin). */
export function socketUrl(baseUrl: string, path: string): string {
  if (baseUrl) return baseUrl.replace(/^http/, 'ws') + path;
  const { protocol, host } = globalThis.location;
  return `${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}${path}`;
}

/** A readable reason for a failed connection: the system's error code when there is one. */
export function socketErrorReason(event: { message?: string; error?: unknown }): string {
  const code = (event.error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code;
  return event.message || 'connection failed';
}
