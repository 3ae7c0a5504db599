import { wallNow } from './machine.js';

/**
 * Calls `emit` `count` times: at `rate` per second, or as fast as the event loop allows when
 * `rate` is 0 (500 per turn). Shared by the Nightshift load runner and the bare baseline, so both
 * produce the same stream.
 *
 * The stamp handed to `emit` is when the event was due, not when it went out: a process too busy
 * to emit on time would otherwise stamp late and hide its own backlog from the latency figures
 * (coordinated omission). At full speed there is no schedule, so the stamp is the emit time.
 */
export async function pace(
  count: number,
  rate: number,
  emit: (i: number, stamp: number) => void,
): Promise<void> {
  let sent = 0;
  if (rate === 0) {
    while (sent < count) {
      for (let k = 0; k < 500 && sent < count; k++) emit(sent++, wallNow());
      await new Promise((r) => setImmediate(r));
    }
    return;
  }
  const started = wallNow();
  const interval = 1000 / rate;
  while (sent < count) {
    const due = Math.min(count, Math.floor((wallNow() - started) / interval));
    // Event i is due once (i + 1) intervals have passed.
    for (; sent < due; sent++) emit(sent, started + (sent + 1) * interval);
    await new Promise((r) => setTimeout(r, 2));
  }
}
