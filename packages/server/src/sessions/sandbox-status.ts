import type { EventInput, SandboxStatus } from '@nightshift/protocol';

/** `Session.sandbox.status` follows the sandbox lifecycle events on the timeline. */
export function sandboxStatusAfter(current: SandboxStatus, event: EventInput): SandboxStatus {
  switch (event.type) {
    case 'sandbox_spawning':
      return 'spawning';
    case 'sandbox_status':
      return event.data.status;
    case 'sandbox_ready':
      return 'ready';
    case 'sandbox_error':
      return 'failed';
    default:
      return current;
  }
}
