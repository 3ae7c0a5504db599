import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Logger } from '../log.js';
import { DOOR_MODEL_PATH } from '../sandboxes/local/network.js';
import { refuseRequest } from './refusal.js';

/**
 * The model endpoint as a sandbox with its own network reaches it: through its door, because its
 * network has no way to the host's loopback, where local model servers (Ollama, vLLM) listen.
 * Only the configured OpenAI-compatible base URL is ever the target, so the door is no proxy to
 * anything else on the host. Replies stream through as they come: completions are SSE.
 */

/** Whether `target` (a normalised request path) is for the model route. */
export function isModelRoute(target: string): boolean {
  return (
    target === DOOR_MODEL_PATH ||
    target.startsWith(`${DOOR_MODEL_PATH}/`) ||
    target.startsWith(`${DOOR_MODEL_PATH}?`)
  );
}

/** Request headers that describe this hop, not the request: never passed on. */
const HOP_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

const UPSTREAM_FAILED = (message: string) => ({ status: 502, code: 'model_unreachable', message });
const NOT_CONFIGURED = {
  status: 404,
  code: 'model_not_configured',
  message: 'no OpenAI-compatible endpoint is configured on this control plane',
};

/** The upstream URL for a model-route request: the configured base URL with the rest of the path. */
export function modelTarget(baseUrl: string, target: string): URL {
  const base = new URL(baseUrl);
  const rest = target.slice(DOOR_MODEL_PATH.length);
  const queryAt = rest.indexOf('?');
  const restPath = queryAt === -1 ? rest : rest.slice(0, queryAt);
  const url = new URL(base.toString());
  url.pathname = `${base.pathname.replace(/\/$/, '')}${restPath}`;
  url.search = queryAt === -1 ? '' : rest.slice(queryAt);
  return url;
}

/** Forwards a model-route request to `baseUrl` (null: none configured), streaming both ways. */
export function modelRoute(
  baseUrl: string | null,
  log: Logger,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (!baseUrl) return refuseRequest(res, NOT_CONFIGURED);
    const url = modelTarget(baseUrl, req.url ?? DOOR_MODEL_PATH);
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers))
      if (value !== undefined && !HOP_HEADERS.has(name)) headers[name] = value;
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const upstream = send(url, { method: req.method, headers }, (reply) => {
      const replyHeaders: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(reply.headers))
        if (value !== undefined && !HOP_HEADERS.has(name)) replyHeaders[name] = value;
      res.writeHead(reply.statusCode ?? 502, replyHeaders);
      // Each chunk goes on as it arrives; an SSE reply is never held back whole.
      res.flushHeaders();
      reply.pipe(res);
      reply.once('error', () => res.destroy());
    });
    upstream.once('error', (err) => {
      log.warn({ err, target: url.origin }, 'the model endpoint failed a sandbox request');
      if (!res.headersSent)
        refuseRequest(
          res,
          UPSTREAM_FAILED(
            `the model endpoint could not be reached (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
          ),
        );
      else res.destroy();
    });
    // The sandbox hanging up ends the upstream request too.
    res.once('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  };
}
