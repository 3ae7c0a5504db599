import { chmodSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Author } from '@nightshift/protocol';
import type { Command, OptionValues } from '../command.js';
import { flag, optionalString } from '../command.js';
import { EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';
import { connect } from '../client/connect.js';
import { gitAuthor, parseAuthor } from '../client/author.js';
import { sessionWebUrl } from '../client/server-url.js';
import { colorsFor, type Colors } from '../output/color.js';
import { terminalText } from '../output/terminal-text.js';
import {
  DEFAULT_DEMO_PROMPT,
  FALLBACK_DEMO_AUTHOR,
  keepServerRunning,
  planDemoServer,
} from '../demo/plan.js';
import { createDemoRepo, readBranchHead, DEMO_REPO_FILES } from '../demo/repo.js';
import { DEMO_MODEL, probePort, startDemoStack, type DemoStack } from '../demo/stack.js';
import { parsePortFlag } from './up.js';
import { viewTimeline } from './timeline-view.js';

const INTERRUPTED = 130;

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run a whole session on a throwaway repository with a scripted demo model (offline, no key)',
  description:
    'Starts the scripted demo model (NOT an AI: it always writes NIGHTSHIFT_DEMO.md with your prompt and\n' +
    'replies with a fixed sentence) and a Nightshift server configured with it, creates a small git repository,\n' +
    'and runs a session through the real pipeline: sandbox, OpenCode, commit, push. It prints the live timeline,\n' +
    'then the branch, the commit and the web URL of the session.\n\n' +
    'The server listens on --port (default 7070). If a Nightshift server is already running there, the demo\n' +
    'leaves it alone (it is not set up for the demo model) and starts its own on a free port. Everything the\n' +
    'demo creates lives in one temporary directory, printed at the start, so your own data is never touched.\n\n' +
    'On a terminal the server keeps running afterwards so you can open the session; Ctrl-C stops it. With\n' +
    '--exit, or when the output is not a terminal, the demo stops the server and exits.',
  positionals: [
    { name: 'prompt', description: `what to ask (default: "${DEFAULT_DEMO_PROMPT}")`, optional: true },
  ],
  options: {
    port: { type: 'string', valueName: 'PORT', description: 'port for the demo server (default 7070)' },
    exit: { type: 'boolean', description: 'stop the server and exit when the session is done' },
    author: {
      type: 'string',
      valueName: '"NAME <EMAIL>"',
      description: 'whose name goes on the commit (default: git config, else a demo identity)',
    },
  },
  client: false,
  examples: ['nightshift demo', 'nightshift demo "Add a greeting for Grace" --exit'],
  run: runDemo,
};

async function runDemo(io: Io, { values, positionals }: { values: OptionValues; positionals: string[] }) {
  const c = colorsFor(io.stdout, io.env);
  const out = (text = '') => io.stdout.write(text + '\n');
  const field = (name: string, value: string) => out(`  ${c.dim(name.padEnd(8))} ${value}`);
  const wantedPort = parsePortFlag(optionalString(values, 'port')) ?? envPort(io.env) ?? 7070;
  const host = io.env.NIGHTSHIFT_HOST?.trim() || '127.0.0.1';
  const promptText = positionals[0]?.trim() || DEFAULT_DEMO_PROMPT;
  const explicitAuthor = optionalString(values, 'author');
  const author = explicitAuthor !== undefined ? parseAuthor(explicitAuthor) : await defaultAuthor(io.cwd);

  const abort = new AbortController();
  let interrupted = false;
  const interruption = io.interrupted().then((signal) => {
    interrupted = true;
    abort.abort();
    return signal;
  });

  out(c.bold('Nightshift demo'));
  out(
    c.yellow(
      'This demo talks to Nightshift’s scripted demo model. It is not an AI: whatever you ask, it writes\n' +
        'NIGHTSHIFT_DEMO.md with your prompt and replies with a fixed sentence.',
    ),
  );
  out(
    'Everything else is real: a sandbox, OpenCode, git commit and push. Nothing leaves this machine;\n' +
      'no API key is needed.',
  );
  out();

  const wantedUrl = `http://${host}:${wantedPort}`;
  const plan = planDemoServer(await probePort(host, wantedPort), wantedUrl, wantedPort);
  if (plan.notice) out(c.yellow(plan.notice) + '\n');

  const dir = mkdtempSync(path.join(os.tmpdir(), 'nightshift-demo-'));
  // Sandboxes run as other users: they must be able to pass through this directory to their
  // workspace under data/ (mkdtemp makes it private).
  chmodSync(dir, 0o711);
  const repo = path.join(dir, 'repo');
  let stack: DemoStack;
  try {
    stack = await startDemoStack({ dir, port: plan.port, host });
  } catch (err) {
    io.stderr.write(`nightshift: the demo server could not start: ${oneLine(err)}\n`);
    return EXIT.failure;
  }
  const serverUrl = stack.server.url;
  let keepRunning = false;
  try {
    field('model', `${DEMO_MODEL} ${c.dim(`(scripted, not AI) at ${stack.model.baseUrl}`)}`);
    field('server', `${serverUrl} ${c.dim(`(log: ${stack.logFile})`)}`);
    await createDemoRepo(repo);
    field('repo', `${repo} ${c.dim(`(${Object.keys(DEMO_REPO_FILES).join(', ')})`)}`);
    const client = connect(serverUrl);
    const session = await client.createSession({ repo, title: 'Nightshift demo' });
    field('session', `${session.id} on ${session.baseBranch}, agent branch ${session.branch}`);
    field('author', `${author.name} <${author.email}>`);
    out();
    if (interrupted) return INTERRUPTED;

    const accepted = await client.prompt(session.id, {
      text: promptText,
      author,
      clientRequestId: randomUUID(),
    });
    let outcome: string | null = null;
    let error: string | undefined;
    await viewTimeline({
      io,
      client,
      sessionId: session.id,
      after: 0,
      json: false,
      signal: abort.signal,
      filter: (event) => {
        const data = event.data as { messageId?: string; outcome?: string; error?: string };
        if (data.messageId === accepted.messageId) {
          if (event.type === 'prompt_completed') {
            outcome = data.outcome ?? 'failed';
            error = data.error;
          }
          if (event.type === 'prompt_cancelled') outcome = 'cancelled';
        }
        return { show: true, stop: outcome !== null };
      },
    });
    out();
    if (interrupted || outcome === null) return INTERRUPTED;
    const webUrl = sessionWebUrl(serverUrl, session.id);
    if (outcome !== 'completed') {
      io.stderr.write(
        `nightshift: the demo session did not complete (${outcome}${error ? `: ${oneLine(error)}` : ''}).\n` +
          'Run `npx nightshift doctor` to see what this machine is missing; the server log is ' +
          `${stack.logFile}.\n`,
      );
      return EXIT.failure;
    }

    const commit = await readBranchHead(repo, session.branch);
    if (!commit) {
      io.stderr.write(`nightshift: the prompt completed but ${session.branch} was not pushed to ${repo}\n`);
      return EXIT.failure;
    }
    out(
      c.green(c.bold('The demo session is done.')) + ' The agent’s work was pushed to the demo repository:',
    );
    printResult(out, c, { branch: session.branch, repo, webUrl, commit });
    out();

    keepRunning = keepServerRunning(io.stdout.isTTY === true, flag(values, 'exit'));
    if (!keepRunning) {
      out(
        c.dim(
          `The server is stopping now (${flag(values, 'exit') ? '--exit' : 'output is not a terminal'}). ` +
            `To open the session later: npx nightshift up --data-dir ${path.join(dir, 'data')} --port ${stack.server.port}`,
        ),
      );
      return EXIT.ok;
    }
    out(
      `The server keeps running so you can open the session in a browser. ${c.bold('Press Ctrl-C to stop it.')}`,
    );
    await interruption;
    return EXIT.ok;
  } finally {
    if (keepRunning || interrupted) io.stderr.write(c.dim('stopping the demo server…') + '\n');
    await stack
      .close()
      .catch((err: unknown) => io.stderr.write(`nightshift: shutdown failed: ${oneLine(err)}\n`));
    if (keepRunning || interrupted) io.stderr.write(c.dim(`the demo files stay in ${dir}`) + '\n');
  }
}

function printResult(
  out: (text?: string) => void,
  c: Colors,
  r: {
    branch: string;
    repo: string;
    webUrl: string;
    commit: NonNullable<Awaited<ReturnType<typeof readBranchHead>>>;
  },
) {
  const row = (name: string, value: string) => out(`  ${c.bold(name.padEnd(9))} ${value}`);
  row('branch', r.branch);
  row('commit', `${r.commit.sha} ${c.dim(`“${r.commit.subject}”`)}`);
  row('author', `${r.commit.author.name} <${r.commit.author.email}>`);
  row('committer', `${r.commit.committer.name} <${r.commit.committer.email}>`);
  row('see it', `git -C ${r.repo} show ${r.branch}`);
  row('web', c.cyan(r.webUrl));
}

async function defaultAuthor(cwd: string): Promise<Author> {
  return (await gitAuthor(cwd)) ?? FALLBACK_DEMO_AUTHOR;
}

function envPort(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.NIGHTSHIFT_PORT?.trim();
  return raw && /^\d+$/.test(raw) && Number(raw) <= 65535 ? Number(raw) : undefined;
}

/** A failure's first line; it may be the server's or the agent's words, so made safe to print. */
function oneLine(err: unknown): string {
  const message = terminalText(err instanceof Error ? err.message : String(err));
  return message.split('\n')[0]!.trim() || 'unknown error';
}
