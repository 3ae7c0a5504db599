import type { Command } from '../command.js';
import { optionalString } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { colorsFor, type Colors } from '../output/color.js';
import {
  checkAuth,
  checkBubblewrap,
  checkSandboxNetwork,
  checkCgroups,
  checkDataDir,
  checkGit,
  checkModel,
  checkNode,
  checkOpenCode,
  checkOverlay,
  checkWorkspaceQuota,
  type AuthFacts,
  type CheckResult,
} from '../doctor/checks.js';
import { probeOpenCode } from '../doctor/opencode-probe.js';

/**
 * The server's own host probes, so doctor finds what the server will. Loaded when doctor runs:
 * the client commands must not pay for loading the server.
 */
const hostProbes = () => import('@nightshift/server');

export async function runChecks(env: NodeJS.ProcessEnv, dataDir: string): Promise<CheckResult[]> {
  const host = await hostProbes();
  const [git, bwrapVersion, slirp, overlay, opencode] = await Promise.all([
    host.runCommand('git', ['--version']),
    host.runCommand('bwrap', ['--version']),
    host.runCommand('slirp4netns', ['--version']),
    host.probeOverlay(),
    probeOpenCode(host.runCommand),
  ]);
  return [
    checkNode(process.version),
    checkGit(git),
    checkBubblewrap(bwrapVersion, host.probeBubblewrapSandbox()),
    checkSandboxNetwork(slirp),
    checkOverlay(overlay),
    checkCgroups(host.probeCgroups()),
    checkWorkspaceQuota(host.probeWorkspaceQuota()),
    checkOpenCode(opencode),
    checkDataDir(host.probeDataDir(dataDir)),
    checkModel(env),
    checkAuth(authFacts(host, env, dataDir)),
  ];
}

/** The server's own reading of its settings, so doctor refuses exactly what `up` would. */
function authFacts(
  host: Awaited<ReturnType<typeof hostProbes>>,
  env: NodeJS.ProcessEnv,
  dataDir: string,
): AuthFacts {
  try {
    return { config: host.resolveConfig({ dataDir }, env) };
  } catch (err) {
    if (err instanceof host.ConfigError) return { error: err.message };
    throw err;
  }
}

export function formatReport(results: CheckResult[], c: Colors): string {
  const width = Math.max(...results.map((r) => r.name.length));
  const lines = results.map((r) => {
    const mark =
      r.status === 'ok' ? c.green('ok     ') : r.status === 'warn' ? c.yellow('warn   ') : c.red('missing');
    const fix = r.fix ? `\n  ${' '.repeat(width + 11)}${c.dim('fix:')} ${r.fix}` : '';
    return `  ${mark}  ${r.name.padEnd(width)}  ${r.detail}${fix}`;
  });
  const failed = results.filter((r) => r.required && r.status !== 'ok');
  const summary = failed.length
    ? c.red(
        `${failed.length} required check${failed.length > 1 ? 's' : ''} failed: ${failed.map((r) => r.name).join(', ')}`,
      )
    : c.green('Everything required is in place.');
  return `${lines.join('\n')}\n\n${summary}\n`;
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'check this machine can run Nightshift, and say how to fix what is missing',
  positionals: [],
  options: {
    'data-dir': {
      type: 'string',
      valueName: 'DIR',
      description:
        'the data dir to check (default $NIGHTSHIFT_DATA_DIR, else ~/.nightshift; /var/lib/nightshift as root)',
    },
    json: { type: 'boolean', description: 'print the results as JSON' },
  },
  client: false,
  async run(io, { values }) {
    const dataDir = (await hostProbes()).resolveDataDir(optionalString(values, 'data-dir'), io.env);
    const results = await runChecks(io.env, dataDir);
    const failed = results.some((r) => r.required && r.status !== 'ok');
    if (values.json === true)
      io.stdout.write(JSON.stringify({ ok: !failed, checks: results }, null, 2) + '\n');
    else io.stdout.write(formatReport(results, colorsFor(io.stdout, io.env)));
    return failed ? EXIT.failure : EXIT.ok;
  },
};
