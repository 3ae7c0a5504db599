// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { SessionUsage } from '../src/sessions/SessionUsage.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let root: Root | null = null;
afterEach(() => {
  act(() => root?.unmount());
  document.body.innerHTML = '';
});

function shown(props: Parameters<typeof SessionUsage>[0]): string {
  const host = document.body.appendChild(document.createElement('div'));
  root = createRoot(host);
  act(() => root!.render(<SessionUsage {...props} />));
  return host.textContent ?? '';
}

const none = { inputTokens: 0, outputTokens: 0, cost: 0 };

describe('SessionUsage', () => {
  it('shows what the model proxy counted, else what the agent reported, else nothing', () => {
    expect(
      shown({
        usage: { inputTokens: 12_000, outputTokens: 500, costUsd: 0.42 },
        reported: { ...none, inputTokens: 3 },
      }),
    ).toBe(' · 12.5k tokens · $0.42');
    act(() => root?.unmount());
    expect(
      shown({
        usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
        reported: { inputTokens: 1200, outputTokens: 34, cost: 0.0123 },
      }),
    ).toBe(' · 1234 tokens · $0.01');
    act(() => root?.unmount());
    expect(shown({ usage: undefined, reported: none })).toBe('');
  });
});
