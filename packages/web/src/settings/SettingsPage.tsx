import type { ReactNode } from 'react';
import { linkHandler } from '../router.js';

const SECTIONS = [
  { href: '/settings/usage', label: 'Usage' },
  { href: '/settings/tokens', label: 'API tokens' },
  { href: '/settings/secrets', label: 'Secrets' },
];

/** The frame the settings pages share: their heading and the way between them. */
export function SettingsPage({ title, children }: { title: string; children: ReactNode }) {
  const here = typeof location === 'undefined' ? '' : location.pathname;
  return (
    <main className="page settings-page">
      <a href="/" onClick={linkHandler} className="back-link">
        ← Sessions
      </a>
      <nav className="settings-nav" aria-label="Settings">
        {SECTIONS.map((s) => (
          <a
            key={s.href}
            href={s.href}
            onClick={linkHandler}
            aria-current={s.href === here ? 'page' : undefined}
          >
            {s.label}
          </a>
        ))}
      </nav>
      <h1>{title}</h1>
      {children}
    </main>
  );
}
