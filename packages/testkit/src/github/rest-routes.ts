import type { GitHubRoute } from './routes.js';
import type { GitHubUser } from './state.js';

/** The REST endpoints a sign-in reads: who the user is, their emails, their organisations. */
export const userRoutes: GitHubRoute[] = [
  {
    method: 'GET',
    path: '/user',
    api: true,
    handle: ({ user, url }) => ({ body: userJson(user!, url.origin) }),
  },
  {
    method: 'GET',
    path: '/user/emails',
    api: true,
    scope: 'user:email',
    handle: ({ user }) => ({
      body: [
        {
          email: user!.email,
          primary: true,
          verified: user!.emailVerified ?? true,
          visibility: 'private',
        },
        {
          email: `${user!.id}+${user!.login}@users.noreply.github.com`,
          primary: false,
          verified: true,
          visibility: null,
        },
      ],
    }),
  },
  {
    method: 'GET',
    path: '/user/orgs',
    api: true,
    handle: ({ user, url }) => ({
      body: (user!.orgs ?? []).map((login, i) => ({
        login,
        id: 1000 + i,
        node_id: `O_${login}`,
        url: `${url.origin}/orgs/${login}`,
        description: null,
      })),
    }),
  },
];

function userJson(user: GitHubUser, origin: string) {
  return {
    login: user.login,
    id: user.id,
    node_id: `U_${user.id}`,
    avatar_url: `${origin}/avatars/${user.login}`,
    html_url: `${origin}/${user.login}`,
    type: 'User',
    site_admin: false,
    name: user.name,
    // Public email: GitHub leaves it null unless the user made it public.
    email: null,
  };
}
