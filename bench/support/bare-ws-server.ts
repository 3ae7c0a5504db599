// The baseline: a bare `ws` broadcast loop, no persistence, no sequencing, same frames and pacing.
// Like Nightshift it sends what was made in one turn of the event loop as one write per client
// (socket corked), so the ratio shows what persistence and the session machinery cost, not
// a difference in how frames are written.
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { pace } from './pace.js';

const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
const clients = new Map<WebSocket, Socket>();
let seq = 0;
let pending: string[] = [];

wss.on('connection', (ws, req) => {
  clients.set(ws, req.socket);
  ws.on('close', () => clients.delete(ws));
  ws.on('message', (raw) => {
    const { count, rate } = JSON.parse(raw.toString()) as { count: number; rate: number };
    void pace(count, rate, send);
  });
});

function send(i: number, stamp: number) {
  const frame = JSON.stringify({
    seq: ++seq,
    type: 'sandbox_event',
    at: new Date().toISOString(),
    data: { messageId: 'msg_bench', kind: 'text', partId: `p${i % 2}`, delta: `${stamp.toFixed(3)};` },
  });
  if (pending.length === 0) setImmediate(flush);
  pending.push(frame);
}

function flush() {
  const frames = pending;
  pending = [];
  for (const [ws, socket] of clients) {
    socket.cork();
    for (const frame of frames) ws.send(frame);
    socket.uncork();
  }
}

wss.on('listening', () => {
  const { port } = wss.address() as { port: number };
  process.stdout.write(`READY ws://127.0.0.1:${port}\n`);
});

// SIGTERM exits cleanly, so `node --cpu-prof` gets to write its profile.
process.on('SIGTERM', () => process.exit(0));
