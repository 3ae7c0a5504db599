import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { text, toolCall } from '@nightshift/testkit';
import { commitsOn, makeRepo, startAgentStack, type AgentStack } from './support/agent-stack.js';

let stack: AgentStack;
beforeAll(async () => {
  stack = await startAgentStack();
});
afterAll(() => stack?.close());

describe('smoke', () => {
  it('runs one prompt through a real sandbox', async () => {
    stack.model.push(toolCall('write', { filePath: 'a.txt', content: 'hi\n' }), text('done'));
    const repo = makeRepo();
    const session = await stack.createSession(repo);
    const accepted = await stack.prompt(session.id, 'write a.txt');
    const message = await stack.waitForPromptEnd(session.id, accepted.messageId);
    expect(message.status).toBe('completed');
    expect(commitsOn(repo, session.branch)[0]!.author).toBe('Ada Lovelace <ada@example.com>');
  }, 120_000);
});
