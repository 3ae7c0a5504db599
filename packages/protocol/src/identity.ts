import { z } from 'zod';
import { Timestamp } from './common.js';

/** How a server decides who someone is: `none` is local mode, one person on their own machine. */
export const AuthMode = z.enum(['none', 'oidc', 'github']);
export type AuthMode = z.infer<typeof AuthMode>;

export const Role = z.enum(['admin', 'member']);
export type Role = z.infer<typeof Role>;

/** Someone signed in to a team-mode server. */
export const Person = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  role: Role,
  githubLogin: z.string().nullable(),
});
export type Person = z.infer<typeof Person>;

/** `GET /api/me`: in local mode nobody signs in, so `person` is null. */
export const Me = z.object({
  mode: z.enum(['local', 'team']),
  person: Person.nullable(),
});
export type Me = z.infer<typeof Me>;

export const TokenName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters');

/** `POST /api/tokens`. */
export const CreateTokenBody = z.object({ name: TokenName }).strict();
export type CreateTokenBody = z.infer<typeof CreateTokenBody>;

/** The only answer that ever carries a token's value: it is stored hashed and never shown again. */
export const TokenCreated = z.object({
  id: z.string(),
  name: z.string(),
  token: z.string(),
  createdAt: Timestamp,
});
export type TokenCreated = z.infer<typeof TokenCreated>;

export const TokenInfo = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: Timestamp,
  lastUsedAt: Timestamp.nullable(),
  owner: z.object({ name: z.string(), email: z.string() }),
});
export type TokenInfo = z.infer<typeof TokenInfo>;

export const TokenList = z.object({ tokens: z.array(TokenInfo) });
export type TokenList = z.infer<typeof TokenList>;

/** `GET /api/tokens?all=1`: an admin sees everyone's tokens. */
export const TokenListQuery = z.object({ all: z.enum(['0', '1']).optional() });
export type TokenListQuery = z.infer<typeof TokenListQuery>;
