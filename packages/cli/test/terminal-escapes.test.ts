/**
 * Text from the server (a title, a prompt, the agent's words, a tool's error, an error message)
 * is a repository's or a model's to write; what the CLI prints of it must not drive the terminal.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type {
  AgentRunner,
  PromptJob,
  PromptResult,
  RunContext,
} from '../../server/src/sessions/agent-runner.js';
import { makeColors } from '../src/output/color.js';
import { terminalJson, terminalSafe, terminalText } from '../src/output/terminal-text.js';
import { TimelineRenderer } from '../src/output/timeline.js';
import { formatLogEntry } from '../src/output/server-log.js';
import { CliProcess, runCli } from './support/cli.js';
import { makeRepo, removeDir, startTestServer } from './support/server.js';

/** Writes the clipboard, clears the screen, hides a link, moves the cursor up, rewrites a line. */
const HOSTILE =
  '\x1b]52;c;cm0gLXJmIH4K\x07' + // OSC 52, BEL-terminated: sets the clipboard
  '\x1b[2J\x1b[H' + // clear the screen, cursor home
  '\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\' + // OSC 8 link, ST-terminated
  '\x1b[1A\x1b[10;10H' + // cursor up, cursor to 10,10
  '\x9b2J\x9d0;title\x9c' + // the same in 8-bit C1 form
  '\rX\x1bc\x07\x00\x7f'; // carriage return, terminal reset, bell, NUL, DEL
const VISIBLE = 'clickX';

/* eslint-disable no-control-regex */
/** Escapes the CLI itself prints: its own colours, nothing else. */
const OWN_COLOUR = /\x1b\[(?:1|2|22|3[1-6]|39)m/;
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
/* eslint-enable no-control-regex */
/** Every control character printed but the CLI's own colours, in hex (none, we hope). */
const foreignControls = (text: string) =>
  [...text.replace(new RegExp(OWN_COLOUR.source, 'g'), '').matchAll(CONTROL)].map((m) =>
    m[0].charCodeAt(0).toString(16),
  );

describe('terminal text', () => {
  it('prints a server log line quoting a sandbox with only the CLI’s own colours', () => {
    const line = formatLogEntry(
      { level: 50, time: 0, msg: `sandbox said ${HOSTILE}`, output: `tail ${HOSTILE}` },
      makeColors(true),
    );
    expect(foreignControls(line)).toEqual([]);
    expect(line).toContain(`sandbox said ${VISIBLE}`);
    expect(line).toContain(`output=tail ${VISIBLE}`);
  });

  it('drops escape sequences and controls, keeping newlines, tabs and every printable character', () => {
    expect(terminalText(`a${HOSTILE}b`)).toBe(`a${VISIBLE}b`);
    expect(terminalText('line 1\n\tline 2 — é ✓ 🌙')).toBe('line 1\n\tline 2 — é ✓ 🌙');
    expect(terminalText('windows\r\nline')).toBe('windows\nline');
    // An unterminated string sequence takes the rest with it, as a terminal would.
    expect(terminalText('ok\x1b]52;c;AAAA')).toBe('ok');
    expect(terminalText('half an escape\x1b')).toBe('half an escape');
  });

  it('writes --json output that parses to the same value and is inert on a terminal', () => {
    const value = { title: HOSTILE, nested: [{ text: `a${HOSTILE}` }] };
    const json = terminalJson(value, 2);
    expect(foreignControls(json)).toEqual([]);
    expect(JSON.parse(json)).toEqual(value);
  });

  it('cleans every string inside a value and leaves the rest alone', () => {
    expect(terminalSafe({ title: `t${HOSTILE}`, n: 3, tags: [`x\x1b[31m`], none: null })).toEqual({
      title: `t${VISIBLE}`,
      n: 3,
      tags: ['x'],
      none: null,
    });
  });

  it('renders a hostile timeline with only the CLI’s own colours', () => {
    let out = '';
    const renderer = new TimelineRenderer({ print: (t) => (out += t) }, { colors: makeColors(true) });
    const event = (seq: number, type: string, data: unknown) =>
      renderer.render({ seq, type, at: new Date().toISOString(), data } as never);
    const author = { name: `Eve${HOSTILE}`, email: 'eve@example.com' };
    event(1, 'prompt_queued', { messageId: 'msg_1', author, position: 0 });
    event(2, 'sandbox_event', { messageId: 'msg_1', kind: 'text', partId: 'p', delta: `said ${HOSTILE}\n` });
    event(3, 'sandbox_event', {
      messageId: 'msg_1',
      kind: 'tool',
      callId: 'c',
      tool: 'bash',
      status: 'error',
      input: { command: `ls ${HOSTILE}` },
      error: `no ${HOSTILE}`,
    });
    event(4, 'sandbox_error', { message: `broke ${HOSTILE}` });
    event(5, 'prompt_completed', { messageId: 'msg_1', outcome: 'failed', error: `failed ${HOSTILE}` });
    expect(foreignControls(out)).toEqual([]);
    expect(out).toMatch(OWN_COLOUR);
    for (const words of [`Eve${VISIBLE}`, `said ${VISIBLE}`, `ls ${VISIBLE}`, `broke ${VISIBLE}`])
      expect(out).toContain(words);
  });
});

/** An agent whose every word carries the escapes. */
class HostileAgent implements AgentRunner {
  async run(job: PromptJob, ctx: RunContext): Promise<PromptResult> {
    const messageId = job.messageId;
    ctx.emit({
      type: 'sandbox_event',
      data: { messageId, kind: 'text', partId: 'p1', delta: `agent ${HOSTILE}` },
    });
    ctx.emit({
      type: 'sandbox_event',
      data: {
        messageId,
        kind: 'tool',
        callId: 'c1',
        tool: 'bash',
        status: 'error',
        input: {},
        error: `tool ${HOSTILE}`,
      },
    });
    return { outcome: 'failed', error: `error ${HOSTILE}` };
  }

  async stop(): Promise<void> {}
}

describe('the nightshift command, given hostile text by the server', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });
  // Colours forced on: the CLI's own must survive, nothing else may come through.
  const colour = { env: { FORCE_COLOR: '1', NO_COLOR: '' } };

  it('prints titles, prompts, agent text, tool errors and error messages without their escapes', async () => {
    const t = await startTestServer({ port: 0, runner: new HostileAgent(), model: 'scripted/agent' });
    const repo = makeRepo();
    cleanup.push(
      () => removeDir(repo),
      () => removeDir(t.dataDir),
      () => t.close(),
    );
    const session = await t.client.createSession({ repo, title: `title ${HOSTILE}` });
    await t.client.prompt(session.id, {
      text: `prompt ${HOSTILE}`,
      author: { name: `Eve ${HOSTILE}`, email: 'eve@example.com' },
    });

    const sessions = await runCli(['sessions', '--server', t.url], colour);
    expect(sessions.code).toBe(0);
    expect(sessions.stdout).toContain(`title ${VISIBLE}`);
    expect(foreignControls(sessions.stdout)).toEqual([]);
    // --json keeps the title as it is, escaped so a terminal does not act on it.
    const listed = await runCli(['sessions', '--json', '--server', t.url], colour);
    expect(foreignControls(listed.stdout)).toEqual([]);
    expect(JSON.parse(listed.stdout).sessions[0].title).toBe(`title ${HOSTILE}`);

    const tail = new CliProcess(['tail', session.id, '--server', t.url], colour);
    cleanup.push(async () => void (await tail.stop()));
    await tail.waitFor(/prompt msg_\S+ failed/);
    for (const words of [
      `Eve ${VISIBLE}`,
      `prompt ${VISIBLE}`,
      `agent ${VISIBLE}`,
      `tool ${VISIBLE}`,
      `error ${VISIBLE}`,
    ])
      expect(tail.stdout).toContain(words);
    expect(tail.stdout).toMatch(OWN_COLOUR);
    expect(foreignControls(tail.stdout)).toEqual([]);

    // The server's error message names what it was given: the escapes come back in it (but NUL,
    // which no argument can hold).
    const missing = await runCli(['stop', `ses_${HOSTILE.replace('\x00', '')}`, '--server', t.url], colour);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain(`ses_${VISIBLE}`);
    expect(foreignControls(missing.stderr)).toEqual([]);
  });
});
