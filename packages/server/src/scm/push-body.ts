import type { IncomingMessage } from 'node:http';
import { createGunzip } from 'node:zlib';

/** What reading a push's body came to; only `read` carries one. */
export type PushBody =
  | { kind: 'read'; body: Buffer }
  | { kind: 'too-large' }
  | { kind: 'unsupported-encoding'; encoding: string }
  | { kind: 'corrupt' }
  | { kind: 'aborted' };

export interface PushBodyLimits {
  /** Bytes on the wire, compressed or not. */
  maxBytes: number;
  /**
   * Bytes a compressed body may expand to. Git never compresses a push (only fetch requests that
   * fit its post buffer), so this is small: it is what stops a gzip bomb.
   */
  maxInflatedBytes: number;
}

/**
 * Reads a push body, inflating a gzip one as a stream (zlib's thread pool, never the event loop)
 * and stopping at the limit: past it nothing more is kept or inflated, the rest of what the client
 * sends is read and dropped, so that it hears the refusal rather than a reset.
 */
export function readPushBody(
  req: IncomingMessage,
  contentEncoding: string | undefined,
  limits: PushBodyLimits,
): Promise<PushBody> {
  const encoding = (contentEncoding ?? 'identity').trim().toLowerCase();
  const gzip = encoding === 'gzip' || encoding === 'x-gzip';
  if (!gzip && encoding !== 'identity' && encoding !== '')
    return Promise.resolve({ kind: 'unsupported-encoding', encoding });
  const keepLimit = gzip ? limits.maxInflatedBytes : limits.maxBytes;

  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    let received = 0;
    let over = false;
    let requestEnded = false;
    let settled = false;
    const settle = (result: PushBody) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const refuseIfDone = () => {
      if (over && requestEnded) settle({ kind: 'too-large' });
    };
    const keep = (chunk: Buffer) => {
      if (over) return;
      kept += chunk.length;
      if (kept <= keepLimit) return void chunks.push(chunk);
      over = true;
      chunks.length = 0;
      inflater?.destroy();
      req.resume(); // it may be paused waiting for the inflater to drain
      refuseIfDone();
    };

    const inflater = gzip ? createGunzip() : undefined;
    inflater?.on('data', keep);
    inflater?.on('end', () => !over && settle({ kind: 'read', body: Buffer.concat(chunks) }));
    inflater?.on('error', () => !over && settle({ kind: 'corrupt' }));

    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > limits.maxBytes) {
        req.destroy(); // more than any push may be: not worth reading to the end
        return settle({ kind: 'too-large' });
      }
      if (over) return;
      if (!inflater) return keep(chunk);
      if (!inflater.write(chunk)) {
        req.pause();
        inflater.once('drain', () => req.resume());
      }
    });
    req.on('end', () => {
      requestEnded = true;
      if (over) return refuseIfDone();
      if (inflater) inflater.end();
      else settle({ kind: 'read', body: Buffer.concat(chunks) });
    });
    req.on('error', () => settle({ kind: 'aborted' }));
    req.on('close', () => !requestEnded && settle({ kind: 'aborted' }));
  });
}
