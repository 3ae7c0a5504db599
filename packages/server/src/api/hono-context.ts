import type { Principal } from '../auth/principal.js';

// Set by the auth middleware on every /api/* request before any route runs. It lives at the edge,
// not in auth/: the domain never imports the HTTP framework, not even to declare a type in it.
declare module 'hono' {
  interface ContextVariableMap {
    principal: Principal;
  }
}
