export * from './turns.js';
export * from './request.js';
export { classifySideTask, type SideTask } from './side-tasks.js';
export { startModelServer, SCRIPT_EXHAUSTED_MESSAGE } from './server.js';
export type { ModelServer, ModelServerOptions, RecordedRequest, Responder, WireFormat } from './server.js';
export { parseMessagesRequest } from './anthropic-wire.js';
export { taggedResponder } from './tagged-responder.js';
export { demoResponder, demoFileContent, DEMO_FILE, DEMO_MODEL_ID } from './demo.js';
