/**
 * What a sandbox's bridge messages put on the session's timeline. Only the timeline's view:
 * what a message does to the sandbox itself (ready, a prompt's end) is the live sandbox's.
 */
import { maskDeep, type EventInput, type SecretMasker } from '@nightshift/protocol';
import type { CarriedUp } from './bridge-inbox.js';

/**
 * The event a message stands for; null for those that stand for none (heartbeats, prompt results).
 * Secret values are masked again here, whatever the supervisor did: the timeline is for everyone.
 */
export function timelineEvent(message: CarriedUp, mask: SecretMasker = (text) => text): EventInput | null {
  const event = unmaskedEvent(message);
  return event && maskDeep(event, mask);
}

function unmaskedEvent(message: CarriedUp): EventInput | null {
  switch (message.type) {
    case 'status':
      return {
        type: 'sandbox_status',
        data: {
          status: message.status,
          ...(message.phase ? { phase: message.phase } : {}),
          ...(message.durationMs !== undefined ? { durationMs: message.durationMs } : {}),
          ...(message.output ? { output: message.output } : {}),
        },
      };
    case 'ready':
      return { type: 'sandbox_ready', data: { durationMs: message.durationMs } };
    case 'activity':
      return { type: 'sandbox_event', data: message.activity };
    case 'error':
      return {
        type: 'sandbox_error',
        data: { message: message.message, ...(message.phase ? { phase: message.phase } : {}) },
      };
    case 'heartbeat':
    case 'prompt_result':
      return null;
  }
}
