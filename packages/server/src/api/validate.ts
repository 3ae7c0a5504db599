import type { Context } from 'hono';
import type { z } from 'zod';
import { ApiError, invalid } from './errors.js';

/** Parses a JSON body against a schema; a missing or empty body counts as `{}`. */
export async function readBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const raw = await c.req.text();
  let value: unknown = {};
  if (raw.trim() !== '') {
    // Lenient on content-type: `curl -d` sends form encoding by default, and the body is JSON anyway.
    try {
      value = JSON.parse(raw);
    } catch {
      throw new ApiError(400, 'invalid_json', 'body: is not valid JSON');
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalid(parsed.error, value === null || typeof value !== 'object' ? 'body' : '');
  return parsed.data;
}

export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw invalid(parsed.error);
  return parsed.data;
}
