/**
 * Requests OpenCode makes besides the agent's own steps. Recognised from the request itself so
 * they never consume a test's script.
 */
import { systemText, type ChatRequest } from './request.js';
import { text, type Turn } from './turns.js';

export type SideTask = 'title';

export function classifySideTask(request: ChatRequest): SideTask | undefined {
  // OpenCode's "title" agent: a system prompt that casts the model as a title generator, no tools.
  if (!request.tools?.length && /title generator/i.test(systemText(request))) return 'title';
  return undefined;
}

export function sideTaskTurn(task: SideTask, _request: ChatRequest): Turn {
  switch (task) {
    case 'title':
      return text('Scripted session');
  }
}
