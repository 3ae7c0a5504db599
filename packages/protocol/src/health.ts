import { z } from 'zod';
import { AuthMode } from './identity.js';

/** `GET /api/health`: what a Nightshift server answers once it is ready to serve, signed in or not. */
export const Health = z.object({ ok: z.literal(true), version: z.string(), auth: AuthMode });
export type Health = z.infer<typeof Health>;
