export { NightshiftClient, type ClientOptions } from './client.js';
export { ApiError, type ApiErrorKind } from './errors.js';
export { routes, sessionSocketPath, type Route } from './routes.js';
export type { Schema, Infer } from './schema.js';
export type { Fetch, RawAnswer } from './transport.js';
export type { ConnectionState, FollowOptions, TimelineFollow } from './follow/follower.js';
export type { WebSocketConstructor, WebSocketLike } from './follow/socket.js';
