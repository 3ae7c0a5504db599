import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorBody } from '@nightshift/protocol';

/** A request answered at the door, before it reaches a handler: `{error: {code, message}}`. */
export interface Refusal {
  status: number;
  code: string;
  message: string;
}

function body({ code, message }: Refusal): string {
  const error: ErrorBody = { error: { code, message } };
  return JSON.stringify(error);
}

export function refuseRequest(res: ServerResponse, refusal: Refusal): void {
  res.writeHead(refusal.status, { 'content-type': 'application/json' }).end(body(refusal));
}

/** An upgrade has no response object yet: the answer is written on the raw socket, which then closes. */
export function refuseUpgrade(socket: Duplex, refusal: Refusal): void {
  const text = body(refusal);
  const reason = STATUS_CODES[refusal.status] ?? 'Error';
  socket.end(
    `HTTP/1.1 ${refusal.status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
  );
}
