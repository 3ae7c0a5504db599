import { WebSocket } from 'ws';
import { NightshiftClient, type WebSocketConstructor } from '@nightshift/client';

/**
 * The public API of the server at `serverUrl`, following timelines over Node's WebSocket (`ws`).
 * With a token, the socket's upgrade request carries it too (a browser's socket could not).
 */
export function connect(
  serverUrl: string,
  options: { timeoutMs?: number; token?: string } = {},
): NightshiftClient {
  const { token, ...rest } = options;
  return new NightshiftClient({
    baseUrl: serverUrl,
    WebSocket: token === undefined ? WebSocket : webSocketWithToken(token),
    ...(token !== undefined ? { token } : {}),
    ...rest,
  });
}

function webSocketWithToken(token: string): WebSocketConstructor {
  return class extends WebSocket {
    constructor(url: string) {
      super(url, { headers: { authorization: `Bearer ${token}` } });
    }
  };
}
