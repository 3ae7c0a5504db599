// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { Composer } from '../src/sessions/Composer.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let root: Root | null = null;
afterEach(() => {
  act(() => root?.unmount());
  document.body.innerHTML = '';
});

function render(onSend: (text: string) => Promise<void>, running = false) {
  const host = document.body.appendChild(document.createElement('div'));
  root = createRoot(host);
  const onTyping = vi.fn();
  act(() =>
    root!.render(
      <Composer
        disabled={false}
        running={running}
        onSend={onSend}
        onStop={async () => {}}
        onTyping={onTyping}
      />,
    ),
  );
  const box = host.querySelector('textarea')!;
  return { host, box, onTyping };
}

function type(box: HTMLTextAreaElement, value: string) {
  // React tracks the value through the native setter.
  const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')!.set!;
  act(() => {
    setter.call(box, value);
    box.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

const key = (box: HTMLTextAreaElement, init: KeyboardEventInit) =>
  act(
    async () =>
      void box.dispatchEvent(new KeyboardEvent('keydown', { bubbles: true, cancelable: true, ...init })),
  );

describe('Composer', () => {
  it('is labelled "Prompt"; Enter sends, Shift+Enter does not', async () => {
    const onSend = vi.fn(async () => {});
    const { box, onTyping, host } = render(onSend);
    expect(host.querySelector(`label[for="${box.id}"]`)?.textContent).toBe('Prompt');
    type(box, 'fix the bug');
    expect(onTyping).toHaveBeenCalled();
    await key(box, { key: 'Enter', shiftKey: true });
    expect(onSend).not.toHaveBeenCalled();
    await key(box, { key: 'Enter' });
    expect(onSend).toHaveBeenCalledWith('fix the bug');
    expect(box.value).toBe('');
  });

  it('keeps the text and shows the error when sending fails; shows Stop while running', async () => {
    const { box, host } = render(async () => {
      throw new Error('boom');
    }, true);
    expect([...host.querySelectorAll('button')].map((b) => b.textContent)).toEqual(['Stop', 'Send']);
    type(box, 'keep me');
    await key(box, { key: 'Enter' });
    expect(box.value).toBe('keep me');
    expect(host.querySelector('[role="alert"]')?.textContent).toContain('boom');
  });
});
