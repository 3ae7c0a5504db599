import { startE2EServer, makeRepo } from './test/e2e/support/server.js';
import { HeldRunner } from './test/e2e/support/held-runner.js';
import { launch, contextAs } from './test/e2e/support/browser.js';
const s = await startE2EServer({
  runner: new HeldRunner(),
  model: 'held/runner',
  webRoot: '/tmp/ns-dist-dbg',
} as never);
const { id } = await s.api<{ id: string }>('POST', '/api/sessions', { repo: makeRepo() });
await s.api('POST', `/api/sessions/${id}/prompts`, {
  text: 'many:19990',
  author: { name: 'A', email: 'a@example.com' },
});
await new Promise((r) => setTimeout(r, 2000));
const browser = await launch();
const ctx = await contextAs(browser, { name: 'A', email: 'a@example.com' });
const page = await ctx.newPage();
await page.goto(s.url);
const cdp = await ctx.newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.start');
const t0 = Date.now();
await page.goto(`${s.url}/sessions/${id}`);
await page.getByText('The end of a long answer.').waitFor({ timeout: 30000 });
console.log('open ms', Date.now() - t0);
const { profile } = (await cdp.send('Profiler.stop')) as {
  profile: {
    nodes: {
      id: number;
      callFrame: { functionName: string; url: string; lineNumber: number };
      hitCount?: number;
    }[];
  };
};
const self = new Map<string, number>();
for (const n of profile.nodes) {
  const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`;
  self.set(k, (self.get(k) ?? 0) + (n.hitCount ?? 0));
}
console.log(
  [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 25)
    .map(([k, v]) => `${v}\t${k}`)
    .join('\n'),
);
await browser.close();
await s.close();
