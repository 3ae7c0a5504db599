/**
 * Shell commands an agent can run to push against its sandbox's limits, and what their output
 * says it got: the attack suite asserts on these figures, `bench/limits.ts` prints them beside
 * the configured limits.
 */

const MiB = 1024 ** 2;

/** Starts up to `max` sleeping processes; prints how many started and the first refusal. */
export function forkLoop(node: string, max: number): string {
  const script = `
const { spawn } = require('child_process');
const kids = [];
let refused = 'none';
function done() {
  console.log('started=' + kids.length + ' refused=' + refused);
  for (const k of kids) k.kill('SIGKILL');
  process.exit(0);
}
function next() {
  if (kids.length >= ${max}) return done();
  let child;
  try { child = spawn('sleep', ['600'], { stdio: 'ignore' }); } catch (e) { refused = e.code; return done(); }
  child.once('spawn', () => { kids.push(child); next(); });
  child.once('error', (e) => { refused = e.code; done(); });
}
next();`;
  return `${node} -e ${shellQuote(script)} 2>&1; echo "exit=$?"`;
}

/** Touches memory 64 MiB at a time up to `mib`, printing each step; killed at the cap. */
export function memoryHog(node: string, mib: number): string {
  const script = `
const held = [];
for (let got = 64; got <= ${mib}; got += 64) {
  held.push(Buffer.alloc(64 * 1024 * 1024, 1));
  console.log('allocated=' + got);
}
console.log('done');`;
  return `${node} -e ${shellQuote(script)} 2>&1; echo "exit=$?"`;
}

/** Writes up to `mib` MiB into `file`; prints the bytes that landed. */
export function fill(file: string, mib: number): string {
  return `dd if=/dev/zero of=${file} bs=1M count=${mib} 2>&1 | grep -v records; echo "size=$(stat -c %s ${file})"; rm -f ${file}`;
}

export function started(output: string): { started: number; refused: string } {
  const m = /started=(\d+) refused=(\S+)/.exec(output);
  return { started: Number(m?.[1] ?? NaN), refused: m?.[2] ?? 'unknown' };
}

export function allocatedMiB(output: string): number {
  return Math.max(0, ...[...output.matchAll(/allocated=(\d+)/g)].map((m) => Number(m[1])));
}

export function filledMiB(output: string): number {
  return Number(/size=(\d+)/.exec(output)?.[1] ?? NaN) / MiB;
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
