/** An id for `clientRequestId`, so a retried send never queues the same prompt twice. */
export function newRequestId(): string {
  // randomUUID needs a secure context; plain http on a LAN address is not one.
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
}
