import { describe, expect, it } from 'vitest';
import {
  decide,
  initialState,
  SNAPSHOT_UNSUPPORTED,
  type PromptCommand,
  type SupervisorEvent,
  type SupervisorState,
} from '../src/supervisor/decide.js';
import { pickScript, planStart } from '../src/supervisor/plan.js';

const prompt = (messageId: string): PromptCommand => ({
  type: 'prompt',
  messageId,
  text: `do ${messageId}`,
  author: { name: 'A', email: 'a@x.io' },
  model: null,
});
const done = (messageId: string): SupervisorEvent => ({
  type: 'prompt_done',
  messageId,
  outcome: 'completed',
});
const cmd = (command: Extract<SupervisorEvent, { type: 'command' }>['command']): SupervisorEvent => ({
  type: 'command',
  command,
});

function run(events: SupervisorEvent[], state: SupervisorState = initialState()) {
  const actions = [];
  for (const event of events) {
    const next = decide(state, event);
    state = next.state;
    actions.push(...next.actions);
  }
  return { state, actions };
}

describe('supervisor decisions', () => {
  it('holds prompts until ready, then runs them one at a time in order', () => {
    let r = run([cmd(prompt('m1')), cmd(prompt('m2'))]);
    expect(r.actions).toEqual([]);
    r = run([{ type: 'ready' }], r.state);
    expect(r.actions).toEqual([{ kind: 'run', prompt: prompt('m1') }]);
    r = run([cmd(prompt('m3'))], r.state);
    expect(r.actions).toEqual([]);
    r = run([done('m1')], r.state);
    expect(r.actions).toEqual([{ kind: 'run', prompt: prompt('m2') }]);
    r = run([done('m2'), done('m3')], r.state);
    expect(r.state.running).toBeNull();
  });

  it('runs a prompt the control plane re-sends only once, and answers it again once it ended', () => {
    let r = run([{ type: 'ready' }, cmd(prompt('m1'))]);
    r = run([cmd(prompt('m1'))], r.state);
    expect(r.actions).toEqual([{ kind: 'log', message: 'prompt m1 received again; it runs once' }]);
    r = run([{ type: 'prompt_done', messageId: 'm1', outcome: 'failed', error: 'boom' }], r.state);
    r = run([cmd(prompt('m1'))], r.state);
    expect(r.actions).toEqual([
      { kind: 'log', message: 'prompt m1 received again after it ended; answering again' },
      { kind: 'answer', messageId: 'm1', outcome: 'failed', error: 'boom' },
    ]);
    expect(r.state.running).toBeNull();
  });

  it('stop aborts the running prompt once; a stop for a queued one answers it as stopped', () => {
    let r = run([{ type: 'ready' }, cmd(prompt('m1')), cmd(prompt('m2'))]);
    r = run([cmd({ type: 'stop', messageId: null })], r.state);
    expect(r.actions).toEqual([{ kind: 'abort', messageId: 'm1' }]);
    r = run([cmd({ type: 'stop', messageId: 'm1' })], r.state);
    expect(r.actions).toEqual([]);
    r = run([cmd({ type: 'stop', messageId: 'm2' })], r.state);
    expect(r.actions).toEqual([{ kind: 'answer', messageId: 'm2', outcome: 'stopped' }]);
    r = run([done('m1')], r.state);
    expect(r.actions).toEqual([]);
    r = run([cmd({ type: 'stop', messageId: 'other' })], r.state);
    expect(r.actions.map((a) => a.kind)).toEqual(['log']);
  });

  it('after a failed start, answers queued and later prompts with the reason', () => {
    let r = run([cmd(prompt('m1')), { type: 'start_failed', error: 'start.sh failed' }]);
    expect(r.actions).toEqual([
      { kind: 'answer', messageId: 'm1', outcome: 'failed', error: 'start.sh failed' },
    ]);
    r = run([cmd(prompt('m2')), { type: 'ready' }], r.state);
    expect(r.actions).toEqual([
      {
        kind: 'answer',
        messageId: 'm2',
        outcome: 'failed',
        error: 'the sandbox failed to start: start.sh failed',
      },
    ]);
    expect(r.state.lifecycle).toBe('failed');
  });

  it('answers snapshot with an error', () => {
    const r = run([{ type: 'ready' }, cmd({ type: 'snapshot', reason: 'idle' })]);
    expect(r.actions).toEqual([{ kind: 'report_error', message: SNAPSHOT_UNSUPPORTED }]);
  });

  it('shutdown aborts the running prompt, stops queued ones, and ignores what comes after', () => {
    let r = run([{ type: 'ready' }, cmd(prompt('m1')), cmd(prompt('m2'))]);
    r = run([cmd({ type: 'shutdown' })], r.state);
    expect(r.actions).toEqual([
      { kind: 'abort', messageId: 'm1' },
      { kind: 'answer', messageId: 'm2', outcome: 'stopped' },
      { kind: 'shutdown' },
    ]);
    r = run([cmd({ type: 'shutdown' }), cmd(prompt('m3')), done('m1')], r.state);
    expect(r.actions.map((a) => a.kind)).toEqual(['log']);
    expect(r.state.running).toBeNull();
  });
});

describe('start plan', () => {
  const files =
    (...names: string[]) =>
    (p: string) =>
      names.includes(p);
  it('prefers .nightshift and falls back to .openinspect', () => {
    expect(pickScript('setup', files('.nightshift/setup.sh', '.openinspect/setup.sh'))).toBe(
      '.nightshift/setup.sh',
    );
    expect(pickScript('start', files('.openinspect/start.sh'))).toBe('.openinspect/start.sh');
    expect(pickScript('start', files())).toBeNull();
  });
  it('runs setup only on a fresh clone and start on every start', () => {
    const exists = files('.nightshift/setup.sh', '.nightshift/start.sh');
    expect(planStart(true, exists)).toEqual({ setup: '.nightshift/setup.sh', start: '.nightshift/start.sh' });
    expect(planStart(false, exists)).toEqual({ setup: null, start: '.nightshift/start.sh' });
  });
});
