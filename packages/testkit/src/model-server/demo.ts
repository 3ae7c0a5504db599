/**
 * The scripted demo model behind `nightshift demo`. It is not an AI: whatever the prompt, it asks
 * OpenCode's `write` tool to create one file recording the prompt, then replies with a short
 * summary. Enough to watch the whole chain (prompt → agent → tool → commit) work without a key.
 */
import { endsWithToolResult, lastUserText, toolResultsSinceLastUser, type ChatRequest } from './request.js';
import type { Responder } from './server.js';
import { text, toolCall, type Turn } from './turns.js';

export const DEMO_MODEL_ID = 'nightshift-demo';
export const DEMO_FILE = 'NIGHTSHIFT_DEMO.md';

export function demoFileContent(prompt: string): string {
  return [
    '# Nightshift demo',
    '',
    "This file was written by the scripted demo model (not an AI) through OpenCode's `write` tool.",
    '',
    '## Prompt',
    '',
    prompt.trim() || '(empty prompt)',
    '',
  ].join('\n');
}

function demoTurn(request: ChatRequest): Turn {
  if (!endsWithToolResult(request)) {
    return toolCall('write', { filePath: DEMO_FILE, content: demoFileContent(lastUserText(request)) });
  }
  const failed = toolResultsSinceLastUser(request).some((r) => /error/i.test(r.output));
  return text(
    failed
      ? `The scripted demo model tried to write ${DEMO_FILE}, but the tool reported an error.`
      : `Done: I wrote ${DEMO_FILE} with your prompt in it. (This reply comes from Nightshift's scripted demo model, not an AI.)`,
    { chunkDelayMs: 20 },
  );
}

/** A responder for `startModelServer({ respond: demoResponder })`: answers every request, forever. */
export const demoResponder: Responder = (request) => demoTurn(request);
