import type { Role } from './principal.js';

/** The allow-lists, lowercased (config.ts); empty lists admit nobody. */
export interface AllowLists {
  emails: string[];
  domains: string[];
  githubOrgs: string[];
}

/** What access is judged on: the identity provider's word, as of sign-in (or as stored since). */
export interface AccessIdentity {
  email: string;
  emailVerified: boolean;
  githubOrgs?: string[];
}

export type AccessDecision = { ok: true } | { ok: false; code: 'forbidden'; message: string };

/**
 * Deny by default: a person gets in when their verified email, or its domain, is listed, or when
 * they belong to a listed GitHub organisation. An unverified address proves nothing about who
 * holds it, so it never matches on its own; organisation membership is GitHub's own fact.
 */
export function allowed(identity: AccessIdentity, allow: AllowLists): AccessDecision {
  const email = identity.email.trim().toLowerCase();
  if (identity.emailVerified) {
    if (allow.emails.includes(email)) return { ok: true };
    const domain = email.slice(email.lastIndexOf('@') + 1);
    if (email.includes('@') && allow.domains.includes(domain)) return { ok: true };
  }
  const orgs = (identity.githubOrgs ?? []).map((o) => o.toLowerCase());
  if (orgs.some((org) => allow.githubOrgs.includes(org))) return { ok: true };
  return {
    ok: false,
    code: 'forbidden',
    message: identity.emailVerified
      ? `${email} is not on this deployment's allow-lists; ask an admin to add you`
      : `${email} is not verified by the identity provider, and no allowed GitHub organisation vouches for it`,
  };
}

/** Admins are named by email (NIGHTSHIFT_ADMINS); everyone else who gets in is a member. */
export function roleFor(email: string, admins: string[]): Role {
  return admins.includes(email.trim().toLowerCase()) ? 'admin' : 'member';
}
