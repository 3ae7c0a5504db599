/** A testkit GitHub with an App installed on one repository, and a receiver for its webhooks. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { App } from '@octokit/app';
import { Octokit } from '@octokit/rest';
import { startGitHubServer, type GitHubServer } from '../../src/index.js';

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface GitHubWorld {
  github: GitHubServer;
  app: ReturnType<GitHubServer['createApp']>;
  installationId: number;
  /** The product's client library, speaking as the App. */
  octokitApp: App;
  /** What the webhook receiver got, in order; it answers `receiverStatus`. */
  received: Received[];
  receiverStatus: { value: number };
  /** @octokit/rest with a token, pointed at the testkit's REST root. */
  rest(token: string): Octokit;
  close(): Promise<void>;
}

export const USERS = [
  { login: 'ada', id: 11, name: 'Ada Lovelace', email: 'ada@acme.test' },
  { login: 'brian', id: 12, name: 'Brian Kernighan', email: 'brian@acme.test' },
];

export async function startGitHubWorld(): Promise<GitHubWorld> {
  const github = await startGitHubServer({ users: USERS });
  const app = github.createApp({ slug: 'nightshift-test', name: 'Nightshift Test' });
  await github.createRepo({ owner: 'acme', name: 'widgets', files: { 'README.md': '# widgets\n' } });
  await github.createRepo({ owner: 'acme', name: 'secret-sauce', private: true });
  const { id: installationId } = github.installApp({ owner: 'acme', repos: ['widgets'] });

  const received: Received[] = [];
  const receiverStatus = { value: 202 };
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(receiverStatus.value).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  github.setWebhookUrl(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/github/webhook`);

  const octokitApp = new App({
    appId: app.id,
    privateKey: app.privateKey,
    webhooks: { secret: app.webhookSecret },
    Octokit: Octokit.defaults({ baseUrl: github.apiUrl }),
  });
  return {
    github,
    app,
    installationId,
    octokitApp,
    received,
    receiverStatus,
    rest: (token) => new Octokit({ auth: token, baseUrl: github.apiUrl }),
    async close() {
      await github.close();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    },
  };
}

/** An installation token for the world's installation, minted as the product does. */
export async function installationToken(world: GitHubWorld, body: Record<string, unknown> = {}) {
  const { data } = await world.octokitApp.octokit.request(
    'POST /app/installations/{installation_id}/access_tokens',
    {
      installation_id: world.installationId,
      ...body,
    },
  );
  return data;
}
