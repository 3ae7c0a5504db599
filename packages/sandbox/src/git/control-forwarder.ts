/**
 * Git speaks HTTP over TCP only, and a sandbox with its own network reaches the control plane
 * through nothing but the Unix socket handed to it. This listens on the sandbox's private
 * loopback and pipes each connection to that socket, byte for byte: the control plane sees the
 * request arrive on the sandbox's own door, which is what says whose it is.
 */
import { connect, createServer, type Server } from 'node:net';

export interface ControlForwarder {
  close(): Promise<void>;
}

export async function forwardToControlSocket(port: number, socketPath: string): Promise<ControlForwarder> {
  const server: Server = createServer((client) => {
    const upstream = connect(socketPath);
    client.pipe(upstream).pipe(client);
    // Either end going away ends the other: git retries a failed request on its own.
    client.once('error', () => upstream.destroy());
    upstream.once('error', () => client.destroy());
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.unref();
  return { close: () => new Promise((resolve) => server.close(() => resolve())) };
}
