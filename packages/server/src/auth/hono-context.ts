import type { Principal } from './principal.js';

// Set by the auth middleware on every /api/* request before any route runs.
declare module 'hono' {
  interface ContextVariableMap {
    principal: Principal;
  }
}
