// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { SandboxBar } from '../src/sessions/SandboxBar.js';
import type { SandboxState } from '../src/timeline/types.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let root: Root | null = null;
afterEach(() => {
  act(() => root?.unmount());
  document.body.innerHTML = '';
});

function render(sandbox: SandboxState, agentSince: string | null): HTMLElement {
  const host = document.body.appendChild(document.createElement('div'));
  root = createRoot(host);
  act(() => root!.render(<SandboxBar sandbox={sandbox} agentSince={agentSince} />));
  return host.querySelector('[role="status"]')!;
}

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

describe('SandboxBar', () => {
  it('says how long the agent has been working on the running prompt', () => {
    const bar = render({ status: 'running' }, ago(65_000));
    expect(bar.textContent).toMatch(/Sandbox: running · agent working for 1 min \d+ s/);
    expect(bar.querySelector('[role="progressbar"]')).toBeNull();
  });

  it('shows no agent clock when no prompt runs, and the start clock while the sandbox starts', () => {
    expect(render({ status: 'ready' }, null).textContent).toBe('Sandbox: ready');
    act(() => root!.unmount());
    const starting = render({ status: 'syncing', phase: 'clone', startingSince: ago(3_000) }, ago(3_000));
    expect(starting.textContent).toMatch(/Sandbox: syncing · clone · \d+(\.\d)? s so far$/);
    expect(starting.textContent).not.toContain('agent working');
  });

  it('keeps the ticking clocks out of what screen readers announce', () => {
    const bar = render({ status: 'running' }, ago(5_000));
    const hidden = [...bar.querySelectorAll('[aria-hidden="true"]')].map((e) => e.textContent).join('');
    expect(hidden).toMatch(/agent working for \d+(\.\d)? s/);
  });
});
