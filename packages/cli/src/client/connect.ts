import { WebSocket } from 'ws';
import { NightshiftClient } from '@nightshift/client';

/** The public API of the server at `serverUrl`, following timelines over Node's WebSocket (`ws`). */
export function connect(serverUrl: string, options: { timeoutMs?: number } = {}): NightshiftClient {
  return new NightshiftClient({ baseUrl: serverUrl, WebSocket, ...options });
}
