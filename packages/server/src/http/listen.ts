import type { Server } from 'node:http';
import { ConfigError } from '../config.js';

/** Starts listening; a failure is a ConfigError whose message is the one line the user sees. */
export function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(listenFailure(err, host, port));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** Why the server cannot listen, said with what to do about it where there is something to do. */
export function listenFailure(err: NodeJS.ErrnoException, host: string, port: number): ConfigError {
  switch (err.code) {
    case 'EADDRINUSE':
      return new ConfigError(
        `port ${port} on ${host} is already in use (choose another with --port or NIGHTSHIFT_PORT)`,
      );
    case 'EACCES':
      return new ConfigError(`not allowed to listen on ${host}:${port} (try a port above 1024)`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new ConfigError(`cannot listen on host ${host}: no such address on this machine`);
    default:
      return new ConfigError(`cannot listen on ${host}:${port}: ${err.message}`);
  }
}
