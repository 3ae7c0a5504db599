import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import { SANDBOX_FORBIDDEN, type SandboxGate } from '../sandboxes/sandbox-gate.js';
import { refuseRequest } from './refusal.js';
import { isDoorRoute } from './sandbox-door.js';
import { MALFORMED_TARGET, normaliseRequestTarget } from './request-target.js';
import { guardRequests } from './last-resort.js';
import { MODEL_PROXY_PREFIX, type ModelProxy } from '../models/proxy.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

export interface FrontDoorOptions {
  /** Keeps sandboxes to their own routes; null when no sandbox can reach this server. */
  gate: SandboxGate | null;
  /** Which sandbox a request came from, when it came through its door (`sandbox-door.ts`). */
  doorOf?: (req: IncomingMessage) => string | undefined;
  /** Smart-HTTP git for local repositories (`/git/…`). */
  git: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** Sandboxes' model traffic (`/model-proxy/…`), when sandboxes can run here. */
  modelProxy?: ModelProxy;
  /** Everything else: the API and the web UI. */
  app: Handler;
  log: Logger;
}

/**
 * Where every HTTP request goes first: a target that is not a plain path is refused, a sandbox is
 * turned away from all but its own routes, git goes to the git backend, and the rest to the app.
 * Nothing a request carries can make it throw past this point.
 */
export function frontDoor(options: FrontDoorOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { gate, git, app, log, doorOf, modelProxy } = options;
  return guardRequests((req, res) => {
    const target = normaliseRequestTarget(req.url);
    if (target === undefined) return refuseRequest(res, MALFORMED_TARGET);
    // Everyone downstream reads the same normalised path the gate judged.
    req.url = target;
    const door = doorOf?.(req);
    if (door !== undefined ? !isDoorRoute(door, target) : gate?.refuses(req))
      return refuseRequest(res, SANDBOX_FORBIDDEN);
    if (target.startsWith('/git/')) return git(req, res);
    if (target.startsWith(MODEL_PROXY_PREFIX)) {
      // Only sandboxes have a model credential; nobody else is told the proxy exists.
      if (!modelProxy || (door === undefined && !gate?.isFromSandbox(req)))
        return refuseRequest(res, MODEL_PROXY_SANDBOXES_ONLY);
      return modelProxy(req, res, door);
    }
    return app(req, res);
  }, log);
}

const MODEL_PROXY_SANDBOXES_ONLY = {
  status: 404,
  code: 'not_found',
  message: 'the model proxy answers sandboxes only',
} as const;
