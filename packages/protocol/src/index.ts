export * from './common.js';
export * from './session.js';
export * from './message.js';
export * from './artifact.js';
export * from './event.js';
export * from './websocket.js';
export * from './bridge.js';
export * from './validation.js';
