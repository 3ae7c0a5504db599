import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../log.js';
import { refuseRequest, refuseUpgrade, type Refusal } from './refusal.js';

const INTERNAL: Refusal = {
  status: 500,
  code: 'internal_error',
  message: 'the server failed to answer this request; it has been logged',
};

type RequestListener = (req: IncomingMessage, res: ServerResponse) => unknown;
type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => unknown;

/**
 * A throw in a listener runs inside Node's HTTP parser, where nothing catches it: the process
 * exits and every session with it. Whatever a handler throws or rejects with ends here instead,
 * logged and answered 500 on that one request.
 */
export function guardRequests(listener: RequestListener, log: Logger): RequestListener {
  return (req, res) => {
    const fail = (err: unknown) => {
      log.error({ err, method: req.method }, 'request handler failed');
      if (!res.headersSent) refuseRequest(res, INTERNAL);
      else res.destroy();
    };
    try {
      const pending = listener(req, res);
      if (pending instanceof Promise) pending.catch(fail);
    } catch (err) {
      fail(err);
    }
  };
}

export function guardUpgrades(listener: UpgradeListener, log: Logger): UpgradeListener {
  return (req, socket, head) => {
    const fail = (err: unknown) => {
      log.error({ err }, 'websocket upgrade failed');
      if (socket.writable) refuseUpgrade(socket, INTERNAL);
      else socket.destroy();
    };
    try {
      const pending = listener(req, socket, head);
      if (pending instanceof Promise) pending.catch(fail);
    } catch (err) {
      fail(err);
    }
  };
}

/**
 * The events a server emits outside any request: a request Node cannot parse (answered as Node
 * would, 400 or 431, but without letting a throw escape), and errors after listening (EMFILE on
 * accept, say), which with no listener would end the process.
 */
export function guardServer(server: Server, log: Logger): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    log.debug({ code: err.code }, 'unparseable request');
    // A response already under way on this connection: raw bytes now would corrupt it.
    const answering = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage?.headersSent;
    if (!socket.writable || answering) return void socket.destroy();
    const status =
      err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const reason =
      status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request';
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  });
  server.on('error', (err) => log.error({ err }, 'http server error'));
}
