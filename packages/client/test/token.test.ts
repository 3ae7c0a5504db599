import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, NightshiftClient } from '@nightshift/client';

/**
 * A door in front of a server that wants a token, answering 401 in words that are not the
 * protocol's (as a reverse proxy would), and remembering what each request carried.
 */
describe('the client with an API token', () => {
  let door: Server;
  let url: string;
  const seen: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    door = createServer((req, res) => {
      seen.push(req.headers);
      if (req.headers.authorization === 'Bearer nst_right') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true, version: '1', auth: 'oidc' }));
      } else {
        res.writeHead(401, { 'content-type': 'text/plain' });
        res.end('Unauthorized');
      }
    });
    await new Promise<void>((resolve) => door.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(door.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => door.close(() => resolve())));

  it('sends it as a bearer token on every request, and only when it has one', async () => {
    seen.length = 0;
    await new NightshiftClient({ baseUrl: url, token: 'nst_right' }).health();
    await new NightshiftClient({ baseUrl: url, token: 'nst_right' }).raw('POST', '/api/anything', {});
    expect(seen.map((h) => h.authorization)).toEqual(['Bearer nst_right', 'Bearer nst_right']);

    seen.length = 0;
    await new NightshiftClient({ baseUrl: url }).health().catch(() => undefined);
    expect(seen[0]!.authorization).toBeUndefined();
  });

  it('a 401, whoever worded it, is an ApiError with the code unauthenticated', async () => {
    const error = await new NightshiftClient({ baseUrl: url, token: 'nst_wrong' }).health().then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ kind: 'refused', status: 401, code: 'unauthenticated' });
    expect((error as ApiError).message).not.toContain('nst_wrong');
  });
});
