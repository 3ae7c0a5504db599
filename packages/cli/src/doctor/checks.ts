/**
 * What `nightshift doctor` concludes from what it observed. Pure: every function takes the facts
 * (the server's host probes, and opencode-probe.ts, gather them) and returns a verdict with the
 * exact fix.
 */
import type { CgroupFacts, CommandRun, QuotaFacts, ServerConfig } from '@nightshift/server';

export type CheckStatus = 'ok' | 'missing' | 'warn';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  /** What was found, e.g. a version. */
  detail: string;
  /** The exact thing to run or set, when not ok. */
  fix?: string;
  /** A required check that is not ok makes doctor exit non-zero. */
  required: boolean;
}

export const MIN_NODE = [20, 19] as const;

export function checkNode(version: string): CheckResult {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  const ok = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
  return {
    name: 'node',
    status: ok ? 'ok' : 'missing',
    detail: `Node ${version}`,
    ...(ok
      ? {}
      : {
          fix: `install Node ${MIN_NODE.join('.')} or newer (e.g. from https://nodejs.org or nvm install 20)`,
        }),
    required: true,
  };
}

export function checkGit(run: CommandRun): CheckResult {
  if (run.ok) return { name: 'git', status: 'ok', detail: firstLine(run.output), required: true };
  return {
    name: 'git',
    status: 'missing',
    detail: run.notFound ? 'git is not installed' : `git does not run: ${firstLine(run.output)}`,
    fix: 'apt-get install -y git',
    required: true,
  };
}

export function checkBubblewrap(version: CommandRun, sandbox: CommandRun): CheckResult {
  if (version.notFound) {
    return {
      name: 'bubblewrap',
      status: 'missing',
      detail: 'bwrap is not installed',
      fix: 'apt-get install -y bubblewrap',
      required: true,
    };
  }
  if (!sandbox.ok) {
    return {
      name: 'bubblewrap',
      status: 'missing',
      detail: `bwrap cannot create a sandbox here: ${firstLine(sandbox.output) || 'unknown error'}`,
      fix:
        'allow unprivileged user namespaces (sysctl -w kernel.unprivileged_userns_clone=1, or on Ubuntu ' +
        'sysctl -w kernel.apparmor_restrict_unprivileged_userns=0); in a container, run it with --privileged ' +
        'or a seccomp profile that allows clone(CLONE_NEWUSER). Last resort: NIGHTSHIFT_ALLOW_UNISOLATED=1 ' +
        '(agents then run without isolation)',
      required: true,
    };
  }
  return {
    name: 'bubblewrap',
    status: 'ok',
    detail: `${firstLine(version.output)}, can create sandboxes`,
    required: true,
  };
}

/** Sandboxes get their own network namespace; slirp4netns is their way out to the internet. */
export function checkSandboxNetwork(slirp: CommandRun): CheckResult {
  if (slirp.ok) return { name: 'slirp4netns', status: 'ok', detail: firstLine(slirp.output), required: true };
  return {
    name: 'slirp4netns',
    status: 'missing',
    detail: slirp.notFound
      ? 'slirp4netns is not installed: sandboxes (which have their own network) cannot start'
      : `slirp4netns does not run: ${firstLine(slirp.output)}`,
    fix: 'apt-get install -y slirp4netns',
    required: true,
  };
}

export function checkOverlay(facts: { inKernel: boolean; mount: CommandRun | null }): CheckResult {
  const base = { name: 'overlayfs', required: false };
  if (!facts.inKernel) {
    return {
      ...base,
      status: 'warn',
      detail: 'the kernel has no overlay filesystem; workspaces are copied instead (slower)',
      fix: 'modprobe overlay',
    };
  }
  if (facts.mount && !facts.mount.ok) {
    return {
      ...base,
      status: 'warn',
      detail: `overlay mounts fail in a user namespace: ${firstLine(facts.mount.output) || 'unknown error'}`,
      fix: 'use a kernel ≥ 5.11 (unprivileged overlay mounts), or run the server as root',
    };
  }
  return { ...base, status: 'ok', detail: facts.mount ? 'overlay mounts work' : 'overlay is in the kernel' };
}

const WANTED_CONTROLLERS = ['memory', 'cpu', 'pids'];

export function checkCgroups(facts: CgroupFacts): CheckResult {
  const base = { name: 'cgroup limits', required: false };
  const missing = WANTED_CONTROLLERS.filter((c) => !facts.controllers.includes(c));
  const version = facts.v2 ? 'cgroup v2' : 'cgroup v1';
  if (!facts.writable) {
    return {
      ...base,
      status: 'warn',
      detail: `${version} is read-only here; sandboxes run without memory/cpu/pids limits`,
      fix: facts.v2
        ? 'run the server as root or in a delegated cgroup (systemd-run --user -p Delegate=yes --scope nightshift up)'
        : 'boot with systemd.unified_cgroup_hierarchy=1 (cgroup v2) and run the server as root or in a delegated cgroup',
    };
  }
  if (missing.length > 0) {
    return {
      ...base,
      status: 'warn',
      detail: `${version} without the ${missing.join(', ')} controller${missing.length > 1 ? 's' : ''}; those limits are skipped`,
      fix: facts.v2
        ? `enable them for the parent cgroup: echo "${missing.map((c) => `+${c}`).join(' ')}" > /sys/fs/cgroup/cgroup.subtree_control`
        : 'boot with systemd.unified_cgroup_hierarchy=1 (cgroup v2)',
    };
  }
  return { ...base, status: 'ok', detail: `${version} with ${WANTED_CONTROLLERS.join(', ')} limits` };
}

/** Without a quota an agent can fill the data dir's disk: said plainly, never implied otherwise. */
export function checkWorkspaceQuota(facts: QuotaFacts): CheckResult {
  const base = { name: 'workspace quota', required: false };
  if (facts.available)
    return {
      ...base,
      status: 'ok',
      detail: 'each workspace is its own size-capped filesystem (loop-mounted ext4)',
    };
  const notRoot = /not root/.test(facts.reason ?? '');
  return {
    ...base,
    status: 'warn',
    detail: `NO disk quota on workspaces: ${facts.reason ?? 'unavailable'}; an agent can fill the data dir's disk`,
    fix: notRoot
      ? 'run the server as root (sudo nightshift up), or put the data dir on a filesystem of its own size'
      : /mkfs/.test(facts.reason ?? '')
        ? 'apt-get install -y e2fsprogs'
        : 'load the loop module (modprobe loop), or put the data dir on a filesystem of its own size',
  };
}

export function checkOpenCode(facts: { path: string | null; run: CommandRun | null }): CheckResult {
  const base = { name: 'opencode', required: true };
  if (!facts.path) {
    return {
      ...base,
      status: 'missing',
      detail: 'the opencode-ai package is not installed',
      fix: 'npm install (from the Nightshift checkout; it installs opencode-ai)',
    };
  }
  if (!facts.run?.ok) {
    return {
      ...base,
      status: 'missing',
      detail: `${facts.path} does not run: ${firstLine(facts.run?.output ?? '') || 'unknown error'}`,
      fix: 'npm rebuild opencode-ai (its postinstall fetches the binary for this platform)',
    };
  }
  return { ...base, status: 'ok', detail: `opencode ${firstLine(facts.run.output)}` };
}

export function checkDataDir(facts: { path: string; writable: boolean; error?: string }): CheckResult {
  if (facts.writable)
    return { name: 'data dir', status: 'ok', detail: `${facts.path} is writable`, required: true };
  return {
    name: 'data dir',
    status: 'missing',
    detail: `${facts.path} is not writable${facts.error ? ` (${facts.error})` : ''}`,
    fix: `mkdir -p ${facts.path} && chown $(id -u) ${facts.path}, or choose another with --data-dir / NIGHTSHIFT_DATA_DIR`,
    required: true,
  };
}

/** Which environment variable holds the key for a provider id, for the ones we know. */
const PROVIDER_KEYS: Record<string, string> = {
  anthropic: 'ANTHROPIC_API_KEY',
  openai: 'OPENAI_API_KEY',
  google: 'GOOGLE_GENERATIVE_AI_API_KEY',
  openrouter: 'OPENROUTER_API_KEY',
  groq: 'GROQ_API_KEY',
  mistral: 'MISTRAL_API_KEY',
  xai: 'XAI_API_KEY',
  deepseek: 'DEEPSEEK_API_KEY',
};

export function checkModel(env: NodeJS.ProcessEnv): CheckResult {
  const base = { name: 'model', required: false };
  const model = env.NIGHTSHIFT_MODEL?.trim();
  const compatible = env.NIGHTSHIFT_OPENAI_COMPATIBLE_BASE_URL?.trim();
  if (!model) {
    return {
      ...base,
      status: 'warn',
      detail: compatible
        ? `an OpenAI-compatible endpoint is set (${compatible}) but no default model; prompts must name one`
        : 'no model configured; prompts will fail until one is',
      fix: compatible
        ? 'export NIGHTSHIFT_MODEL=openai-compatible/<model-id>'
        : 'export NIGHTSHIFT_MODEL=anthropic/claude-sonnet-4-5 ANTHROPIC_API_KEY=… (or OPENAI_API_KEY, or NIGHTSHIFT_OPENAI_COMPATIBLE_BASE_URL=http://localhost:11434/v1 for Ollama); `npx nightshift demo` needs none',
    };
  }
  const provider = model.split('/')[0] ?? '';
  if (!/^[^/\s]+\/\S+$/.test(model)) {
    return {
      ...base,
      status: 'warn',
      detail: `NIGHTSHIFT_MODEL="${model}" is not provider/model`,
      fix: 'export NIGHTSHIFT_MODEL=anthropic/claude-sonnet-4-5',
    };
  }
  if (provider === 'openai-compatible' && !compatible) {
    return {
      ...base,
      status: 'warn',
      detail: `${model} needs NIGHTSHIFT_OPENAI_COMPATIBLE_BASE_URL`,
      fix: 'export NIGHTSHIFT_OPENAI_COMPATIBLE_BASE_URL=http://localhost:11434/v1',
    };
  }
  const key = PROVIDER_KEYS[provider];
  if (key && !env[key]) {
    return { ...base, status: 'warn', detail: `${model} is set but ${key} is not`, fix: `export ${key}=…` };
  }
  return { ...base, status: 'ok', detail: model };
}

/** What the server would make of its settings: its config, or the one line it would refuse to start with. */
export type AuthFacts = { config: Pick<ServerConfig, 'host' | 'auth'> } | { error: string };

export function checkAuth(facts: AuthFacts): CheckResult {
  const base = { name: 'sign-in', required: true };
  if ('error' in facts) {
    return {
      ...base,
      status: 'missing',
      detail: `the server would refuse to start: ${facts.error}`,
      fix: 'set what the message names (docs/api.md, "Settings")',
    };
  }
  const { host, auth } = facts.config;
  if (auth.mode === 'none') {
    if (auth.insecureNoAuth) {
      return {
        ...base,
        status: 'warn',
        detail: `local mode on ${host} with --insecure-no-auth: nobody signs in, anyone who reaches it runs agents`,
        fix: 'export NIGHTSHIFT_AUTH=oidc (or github) with NIGHTSHIFT_PUBLIC_URL and NIGHTSHIFT_ALLOWED_EMAILS / _DOMAINS / _GITHUB_ORGS',
      };
    }
    return {
      ...base,
      status: 'ok',
      detail: `local mode (NIGHTSHIFT_AUTH=none): no sign-in, on ${host} only`,
    };
  }
  const { emails, domains, githubOrgs } = auth.allow;
  const allowed = [
    count(emails.length, 'email'),
    count(domains.length, 'domain'),
    count(githubOrgs.length, 'GitHub org'),
  ].join(', ');
  const via = auth.mode === 'oidc' ? `OpenID Connect (${auth.oidc?.issuer ?? '?'})` : 'GitHub';
  const detail = `team mode, sign-in with ${via}; allowed: ${allowed}`;
  const gaps = [
    auth.publicUrl === null
      ? 'NIGHTSHIFT_PUBLIC_URL is not set (sign-in works only at the listen URL)'
      : null,
    auth.admins.length === 0 ? 'NIGHTSHIFT_ADMINS is empty (nobody is admin)' : null,
    auth.allowedRepos.length === 0 ? 'NIGHTSHIFT_ALLOWED_REPOS is empty (no repository is allowed)' : null,
  ].filter((gap): gap is string => gap !== null);
  if (gaps.length > 0) {
    return {
      ...base,
      status: 'warn',
      detail: `${detail}; ${gaps.join('; ')}`,
      fix: 'export NIGHTSHIFT_PUBLIC_URL=https://… NIGHTSHIFT_ADMINS=you@example.com NIGHTSHIFT_ALLOWED_REPOS=…',
    };
  }
  return { ...base, status: 'ok', detail: `${detail}; public URL ${auth.publicUrl}` };
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.trim() ?? '';
}
