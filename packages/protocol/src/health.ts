import { z } from 'zod';

/** `GET /api/health`: what a Nightshift server answers once it is ready to serve. */
export const Health = z.object({ ok: z.literal(true), version: z.string() });
export type Health = z.infer<typeof Health>;
