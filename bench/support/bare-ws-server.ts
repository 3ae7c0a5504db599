// The baseline: a bare `ws` broadcast loop, no persistence, no sequencing, same frames and pacing.
import { WebSocketServer, type WebSocket } from 'ws';
import { wallNow } from './machine.js';

const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
const clients = new Set<WebSocket>();
let seq = 0;

wss.on('connection', (ws) => {
  clients.add(ws);
  ws.on('close', () => clients.delete(ws));
  ws.on('message', (raw) => {
    const { count, rate } = JSON.parse(raw.toString()) as { count: number; rate: number };
    void broadcast(count, rate);
  });
});

function send(i: number) {
  const frame = JSON.stringify({
    seq: ++seq,
    type: 'sandbox_event',
    at: new Date().toISOString(),
    data: { messageId: 'msg_bench', kind: 'text', partId: `p${i % 2}`, delta: `${wallNow().toFixed(3)};` },
  });
  for (const c of clients) c.send(frame);
}

async function broadcast(count: number, rate: number) {
  let sent = 0;
  if (rate === 0) {
    while (sent < count) {
      for (let k = 0; k < 500 && sent < count; k++) send(sent++);
      await new Promise((r) => setImmediate(r));
    }
    return;
  }
  const started = wallNow();
  while (sent < count) {
    const due = Math.min(count, Math.floor(((wallNow() - started) / 1000) * rate));
    while (sent < due) send(sent++);
    await new Promise((r) => setTimeout(r, 2));
  }
}

wss.on('listening', () => {
  const { port } = wss.address() as { port: number };
  process.stdout.write(`READY ws://127.0.0.1:${port}\n`);
});
