/** The client side of the bridge to the control plane. */
export { BridgeClient, type BridgeClientOptions, type BridgeCommand } from './client.js';
export { Outbox, type UpBody } from './outbox.js';
export { backoffDelay, type BackoffPolicy } from './backoff.js';
