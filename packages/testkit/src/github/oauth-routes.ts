import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { githubError, type GitHubRequest, type GitHubResponse, type GitHubRoute } from './routes.js';

/** GitHub's OAuth web flow: the authorize page and the code-for-token exchange. */
export const oauthRoutes: GitHubRoute[] = [
  { method: 'GET', path: '/login/oauth/authorize', api: false, handle: authorize },
  { method: 'POST', path: '/login/oauth/authorize', api: false, handle: authorize },
  { method: 'POST', path: '/login/oauth/access_token', api: false, handle: accessToken },
];

/**
 * Who authorizes: `?login=` picks a user at once (scripts); without it, a page with an
 * "Authorize" button per user (browsers), which posts back here with the chosen login.
 */
function authorize(req: GitHubRequest): GitHubResponse {
  const params = new URLSearchParams(req.url.search);
  if (req.method === 'POST') for (const [k, v] of new URLSearchParams(req.body)) params.set(k, v);
  const clientId = params.get('client_id');
  const redirectUri = params.get('redirect_uri');
  if (clientId !== req.state.clientId || !redirectUri) {
    return { status: 404, body: page('<h1>404</h1><p>This is not the web page you are looking for.</p>') };
  }
  const login = params.get('login');
  if (!login) {
    const hidden = [...params]
      .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
      .join('');
    const buttons = req.state.users
      .map(
        (u) =>
          `<form method="post" action="/login/oauth/authorize">${hidden}<input type="hidden" name="login" value="${escapeHtml(u.login)}"><p>${escapeHtml(u.name ?? u.login)} (${escapeHtml(u.login)})</p><button type="submit" aria-label="Authorize ${escapeHtml(u.login)}">Authorize</button></form>`,
      )
      .join('');
    return { body: page(`<h1>Authorize application</h1>${buttons}`) };
  }
  const user = req.state.user(login);
  if (!user) return { status: 404, body: page(`<h1>No such user ${escapeHtml(login)}</h1>`) };
  const code = randomBytes(10).toString('hex');
  const challenge = params.get('code_challenge') ?? undefined;
  req.state.codes.set(code, {
    login: user.login,
    clientId,
    redirectUri,
    scopes: (params.get('scope') ?? '').split(/[\s,]+/).filter(Boolean),
    ...(challenge ? { challenge } : {}),
  });
  const back = new URL(redirectUri);
  back.searchParams.set('code', code);
  const state = params.get('state');
  if (state !== null) back.searchParams.set('state', state);
  return { status: 302, headers: { location: back.href } };
}

/** As GitHub does it: errors are 200s with an `error` field, JSON only when asked for. */
function accessToken(req: GitHubRequest): GitHubResponse {
  const form = new URLSearchParams(req.body);
  const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const [basicId, basicSecret] = basic
    ? Buffer.from(basic, 'base64').toString('utf8').split(':').map(decodeURIComponent)
    : [];
  const clientId = form.get('client_id') ?? basicId;
  const clientSecret = form.get('client_secret') ?? basicSecret;
  const answer = (fields: Record<string, string>): GitHubResponse =>
    /application\/json/.test(req.headers.accept ?? '')
      ? { body: fields }
      : {
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(fields).toString(),
        };
  const fail = (error: string, description: string) =>
    answer({ error, error_description: description, error_uri: 'https://docs.github.com/apps/oauth' });

  if (clientId !== req.state.clientId || !clientSecret || !same(clientSecret, req.state.clientSecret)) {
    return fail('incorrect_client_credentials', 'The client_id and/or client_secret passed are incorrect.');
  }
  const code = form.get('code') ?? '';
  const grant = req.state.codes.get(code);
  req.state.codes.delete(code);
  if (!grant || grant.clientId !== clientId) {
    return fail('bad_verification_code', 'The code passed is incorrect or expired.');
  }
  const redirectUri = form.get('redirect_uri');
  if (redirectUri !== null && redirectUri !== grant.redirectUri) {
    return fail(
      'redirect_uri_mismatch',
      'The redirect_uri MUST match the registered callback URL for this application.',
    );
  }
  if (grant.challenge) {
    const verifier = form.get('code_verifier') ?? '';
    if (createHash('sha256').update(verifier).digest('base64url') !== grant.challenge) {
      return fail('bad_verification_code', 'The code_verifier does not match the code_challenge.');
    }
  }
  const token = req.state.issueToken(grant.login, grant.scopes);
  return answer({ access_token: token, token_type: 'bearer', scope: grant.scopes.join(',') });
}

export function unauthorized(message = 'Requires authentication'): GitHubResponse {
  return githubError(401, message);
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function page(body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>GitHub</title></head><body><main>${body}</main></body></html>`;
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
