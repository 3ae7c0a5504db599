import { Hono } from 'hono';
import { UsageQuery } from '@nightshift/protocol';
import { isAdmin } from '../../auth/principal.js';
import { Forbidden } from '../../sessions/errors.js';
import type { UsageLedger } from '../../models/usage-ledger.js';
import { readQuery } from '../validate.js';

/**
 * `GET /api/usage?sessionId=&email=&days=`: tokens and cost of the proxied model calls. A member
 * sees their own calls only; an admin (and local mode) everyone's.
 */
export function usageRoutes(ledger: Pick<UsageLedger, 'report'>): Hono {
  const app = new Hono();

  app.get('/', async (c) => {
    const query = readQuery(c, UsageQuery);
    const principal = c.get('principal');
    if (isAdmin(principal)) return c.json(await ledger.report(query));
    const own = principal.kind === 'person' ? principal.person.email : '';
    if (query.email !== undefined && query.email.toLowerCase() !== own.toLowerCase())
      throw new Forbidden("email: only an admin sees someone else's usage", 'admin_only');
    return c.json(await ledger.report({ ...query, email: own }));
  });

  return app;
}
