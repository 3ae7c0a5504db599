import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { PutSecretBody, SecretName, SecretQuery } from '@nightshift/protocol';
import type { SecretsService } from '../../secrets/secret-service.js';
import { invalid } from '../errors.js';
import { readBody, readQuery } from '../validate.js';

const NameParam = z.object({ name: SecretName });

/** docs/api.md "Secrets": names, scopes and times in every answer; values only ever go in. */
export function secretRoutes(secrets: SecretsService): Hono {
  const app = new Hono();

  app.get('/', async (c) => {
    const { repo } = readQuery(c, SecretQuery);
    return c.json({ secrets: await secrets.list(c.get('principal'), repo) });
  });

  app.put('/:name', async (c) => {
    const name = readName(c);
    const body = await readBody(c, PutSecretBody);
    return c.json(await secrets.put(c.get('principal'), name, body));
  });

  app.delete('/:name', async (c) => {
    const name = readName(c);
    const { repo } = readQuery(c, SecretQuery);
    await secrets.delete(c.get('principal'), name, repo);
    return c.body(null, 204);
  });

  return app;
}

function readName(c: Context): string {
  const parsed = NameParam.safeParse({ name: c.req.param('name') });
  if (!parsed.success) throw invalid(parsed.error);
  return parsed.data.name;
}
