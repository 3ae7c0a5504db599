import { lastUserText } from './request.js';
import type { Responder } from './server.js';
import type { Turn } from './turns.js';

/**
 * A responder for a model server several tests share: each test scripts its turns under a tag it
 * puts in its prompt text (`[greet] …`), so its prompts get its turns whatever else is running.
 * A request with no tag, or whose tag's turns are used up, falls through to the server's queue.
 */
export function taggedResponder(routes: Map<string, Turn[]>): Responder {
  return (request) => {
    const prompt = lastUserText(request);
    for (const [tag, turns] of routes) if (prompt.includes(tag)) return turns.shift();
    return undefined;
  };
}
