import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { PutSecretBody, SecretName, SecretQuery } from '@nightshift/protocol';
import type { SecretsService } from '../../secrets/secret-service.js';
import { invalid } from '../errors.js';
import { readBody, readQuery } from '../validate.js';
import type { GitHubCodeHost } from '../../github/github-code-host.js';
import { sessionRepoFor } from '../../github/session-repos.js';

const NameParam = z.object({ name: SecretName });

/**
 * docs/api.md "Secrets": names, scopes and times in every answer; values only ever go in. A
 * repository is keyed as its sessions store it (`owner/name` is the installed repository's clone
 * URL), so a secret set for `acme/app` reaches the sessions on `acme/app`.
 */
export function secretRoutes(secrets: SecretsService, host: GitHubCodeHost | null = null): Hono {
  const app = new Hono();
  const keyOf = async (repo: string | undefined) =>
    repo === undefined ? undefined : sessionRepoFor(host, repo);

  app.get('/', async (c) => {
    const { repo } = readQuery(c, SecretQuery);
    return c.json({ secrets: await secrets.list(c.get('principal'), await keyOf(repo)) });
  });

  app.put('/:name', async (c) => {
    const name = readName(c);
    const body = await readBody(c, PutSecretBody);
    return c.json(await secrets.put(c.get('principal'), name, { ...body, repo: await keyOf(body.repo) }));
  });

  app.delete('/:name', async (c) => {
    const name = readName(c);
    const { repo } = readQuery(c, SecretQuery);
    await secrets.delete(c.get('principal'), name, await keyOf(repo));
    return c.body(null, 204);
  });

  return app;
}

function readName(c: Context): string {
  const parsed = NameParam.safeParse({ name: c.req.param('name') });
  if (!parsed.success) throw invalid(parsed.error);
  return parsed.data.name;
}
