import { useEffect, useId, useRef, useState } from 'react';
import { initials } from '../components/format.js';
import { linkHandler } from '../router.js';
import { describeError } from '../api/errors.js';
import type { Person } from '@nightshift/protocol';
import { githubLinkUrl } from './return-to.js';
import type { SignInMode } from './auth-store.js';

const LINKS = [
  { href: '/settings/usage', label: 'Usage' },
  { href: '/settings/tokens', label: 'API tokens' },
  { href: '/settings/secrets', label: 'Secrets' },
];

/**
 * Who is signed in, and the way to their settings and out: a disclosure in the top bar. Under
 * OIDC sign-in it offers linking a GitHub account, so pull requests are opened as the person.
 */
export function AccountMenu({
  person,
  mode,
  onSignOut,
}: {
  person: Person;
  mode?: SignInMode;
  onSignOut(): Promise<void>;
}) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ref = useRef<HTMLDivElement>(null);
  const id = useId();

  // Clicking elsewhere or pressing Escape closes it, as any menu does.
  useEffect(() => {
    if (!open) return;
    const onPointer = (e: PointerEvent) => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  const admin = person.role === 'admin';
  return (
    <div className="account" ref={ref}>
      <button
        type="button"
        className="identity-button"
        aria-expanded={open}
        aria-controls={`${id}-menu`}
        aria-label={`Signed in as ${person.name}${admin ? ' (admin)' : ''}. Account menu`}
        onClick={() => setOpen(!open)}
      >
        <span className="avatar" aria-hidden="true">
          {initials(person.name)}
        </span>
        <span className="identity-name">{person.name}</span>
        {admin && <span className="badge role-badge">admin</span>}
      </button>
      {open && (
        <div id={`${id}-menu`} className="account-menu card" role="group" aria-label="Account">
          <p className="account-email muted" title={person.email}>
            {person.email}
          </p>
          <ul>
            {LINKS.map((link) => (
              <li key={link.href}>
                <a
                  href={link.href}
                  onClick={(e) => {
                    linkHandler(e);
                    setOpen(false);
                  }}
                >
                  {link.label}
                </a>
              </li>
            ))}
            {mode === 'oidc' && !person.githubLogin && (
              <li>
                {/* A full page navigation: GitHub's authorize page, then back here. */}
                <a href={githubLinkUrl(`${window.location.pathname}${window.location.search}`)}>
                  Link GitHub account
                </a>
              </li>
            )}
          </ul>
          <button
            type="button"
            className="button small"
            onClick={() => {
              setError(null);
              onSignOut().catch((err: unknown) => setError(describeError(err)));
            }}
          >
            Sign out
          </button>
          {error && (
            <p className="field-error" role="alert">
              {error}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
