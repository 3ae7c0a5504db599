import type { Message, SessionEvent } from '@nightshift/protocol';
import type { Io } from '../io.js';
import type { NightshiftClient } from '@nightshift/client';
import { colorsFor } from '../output/color.js';
import { ProgressLine } from '../output/progress.js';
import { TimelineRenderer, type Printer } from '../output/timeline.js';
import { terminalJson, terminalText } from '../output/terminal-text.js';

export interface ViewOptions {
  io: Io;
  client: NightshiftClient;
  sessionId: string;
  after: number;
  json: boolean;
  /** Decides which events are shown and when to stop; defaults to showing all, forever. */
  filter?(event: SessionEvent): { show: boolean; stop?: boolean };
  signal: AbortSignal;
}

/**
 * Follows a session's timeline and prints it: rendered for people, one JSON event per line
 * with --json. Shared by `tail` and `prompt --wait`. Resolves with the last seq seen.
 */
export async function viewTimeline(options: ViewOptions): Promise<number> {
  const { io, client, sessionId } = options;
  const colors = colorsFor(io.stdout, io.env);
  const errColors = colorsFor(io.stderr, io.env);
  const live = io.stdout.isTTY === true && !options.json;
  const progress = live ? new ProgressLine(io.stdout) : null;
  const printer: Printer = progress ?? { print: (text) => io.stdout.write(text) };
  const prompts = new Map<string, Message>();
  const remember = (messages: Message[]) => messages.forEach((m) => prompts.set(m.id, m));
  const renderer = new TimelineRenderer(printer, {
    colors,
    ...(progress ? { progress } : {}),
    promptInfo: (id) => prompts.get(id),
  });
  const notice = (text: string) => {
    // Keep notices off a half-written line of agent text.
    if (progress) progress.print('');
    io.stderr.write(errColors.yellow(text) + '\n');
  };

  let lost = false;
  try {
    return await client.follow(sessionId, {
      after: options.after,
      signal: options.signal,
      onEvent: async (event) => {
        const decision = options.filter?.(event) ?? { show: true };
        if (decision.show) {
          if (options.json) io.stdout.write(terminalJson(event) + '\n');
          else {
            if (event.type === 'prompt_queued' && !prompts.has(event.data.messageId)) {
              remember(await client.messages(sessionId).catch(() => []));
            }
            renderer.render(event);
          }
        }
        return decision.stop === true;
      },
      onState: (state, reason) => {
        if (state === 'reconnecting') {
          lost = true;
          renderer.finish();
          notice(`connection to ${client.baseUrl} lost (${terminalText(reason ?? '')}); reconnecting…`);
        } else if (state === 'open' && lost) {
          lost = false;
          notice('reconnected; resuming the timeline');
        }
      },
    }).done;
  } finally {
    renderer.finish();
  }
}
