import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import { SANDBOX_FORBIDDEN, type SandboxGate } from '../sandboxes/sandbox-gate.js';
import { refuseRequest } from './refusal.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

export interface FrontDoorOptions {
  /** Keeps sandboxes to their own routes; null when no sandbox can reach this server. */
  gate: SandboxGate | null;
  /** Smart-HTTP git for local repositories (`/git/…`). */
  git: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** Everything else: the API and the web UI. */
  app: Handler;
  log: Logger;
}

/**
 * Where every HTTP request goes first: a sandbox is turned away from all but its own routes, git
 * goes to the git backend, and the rest to the app.
 */
export function frontDoor(options: FrontDoorOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { gate, git, app, log } = options;
  return (req, res) => {
    if (gate?.refuses(req)) return refuseRequest(res, SANDBOX_FORBIDDEN);
    if (req.url?.startsWith('/git/')) {
      git(req, res).catch((err) => {
        log.error({ err }, 'git request failed');
        if (!res.headersSent) res.writeHead(500).end();
        else res.end();
      });
      return;
    }
    void app(req, res);
  };
}
