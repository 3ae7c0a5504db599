import type { ErrorFrame } from '@nightshift/protocol';
import { SessionError } from '../sessions/errors.js';

export function errorFrame(code: string, message: string, clientRequestId?: string): ErrorFrame {
  return { type: 'error', error: { code, message }, ...(clientRequestId ? { clientRequestId } : {}) };
}

/**
 * How a command sent over the socket that failed is answered. A session's refusal reaches the
 * client as it is, the same code and message an HTTP client gets; anything else is a bug, whose
 * details stay in the server log.
 */
export function commandFailedFrame(err: unknown, clientRequestId?: string): ErrorFrame {
  if (err instanceof SessionError) return errorFrame(err.code, err.message, clientRequestId);
  return errorFrame('internal_error', 'the command could not be carried out', clientRequestId);
}
