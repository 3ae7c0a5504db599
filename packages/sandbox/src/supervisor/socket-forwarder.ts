/**
 * Git and the model client speak TCP only, and a sandbox with its own network reaches the host
 * through nothing but the Unix sockets handed to it (the control plane's door, the model's
 * forwarder). This listens on the sandbox's private loopback and pipes each connection to one
 * such socket, byte for byte: the control plane sees a request arrive on the sandbox's own door,
 * which is what says whose it is.
 */
import { connect, createServer, type Server } from 'node:net';

export interface SocketForwarder {
  close(): Promise<void>;
}

export async function forwardPortToSocket(port: number, socketPath: string): Promise<SocketForwarder> {
  const server: Server = createServer((client) => {
    const upstream = connect(socketPath);
    client.pipe(upstream).pipe(client);
    // Either end going away ends the other: git and the model client retry on their own.
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
