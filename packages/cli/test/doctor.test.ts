import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
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
  type CheckResult,
} from '../src/doctor/checks.js';
import { formatReport } from '../src/commands/doctor.js';
import { makeColors } from '../src/output/color.js';
import { runCli, tempDir } from './support/cli.js';
import { removeDir } from './support/server.js';

const ran = (output: string) => ({ ok: true, notFound: false, output });
const failed = (output: string) => ({ ok: false, notFound: false, output });
const absent = { ok: false, notFound: true, output: '' };

describe('doctor checks (pure)', () => {
  it('node: 20.19 or newer', () => {
    expect(checkNode('v20.19.0').status).toBe('ok');
    expect(checkNode('v22.1.0').status).toBe('ok');
    const old = checkNode('v20.11.1');
    expect(old).toMatchObject({ status: 'missing', required: true });
    expect(old.fix).toContain('20.19');
  });

  it('git', () => {
    expect(checkGit(ran('git version 2.39.5'))).toMatchObject({ status: 'ok', detail: 'git version 2.39.5' });
    expect(checkGit(absent)).toMatchObject({ status: 'missing', fix: 'apt-get install -y git' });
  });

  it('bubblewrap: installed, and able to make a sandbox', () => {
    expect(checkBubblewrap(ran('bubblewrap 0.8.0'), ran('')).status).toBe('ok');
    expect(checkBubblewrap(absent, absent)).toMatchObject({
      status: 'missing',
      fix: 'apt-get install -y bubblewrap',
    });
    const blocked = checkBubblewrap(
      ran('bubblewrap 0.8.0'),
      failed('bwrap: No permissions to creating new namespace'),
    );
    expect(blocked.status).toBe('missing');
    expect(blocked.detail).toContain('No permissions');
    expect(blocked.fix).toContain('unprivileged_userns_clone');
  });

  it('overlay and cgroups are optional: warn, never missing', () => {
    expect(checkOverlay({ inKernel: true, mount: ran('') }).status).toBe('ok');
    expect(checkOverlay({ inKernel: false, mount: null })).toMatchObject({
      status: 'warn',
      fix: 'modprobe overlay',
      required: false,
    });
    expect(checkOverlay({ inKernel: true, mount: failed('mount: permission denied') }).status).toBe('warn');
    expect(
      checkCgroups({ v2: true, controllers: ['cpu', 'memory', 'pids', 'io'], writable: true }).status,
    ).toBe('ok');
    const partial = checkCgroups({ v2: true, controllers: ['memory'], writable: true });
    expect(partial).toMatchObject({ status: 'warn', required: false });
    expect(partial.fix).toContain('+cpu +pids');
    expect(checkCgroups({ v2: true, controllers: [], writable: false }).detail).toContain('read-only');
  });

  it('workspace quota: said plainly when there is none, with the way to get one', () => {
    expect(checkWorkspaceQuota({ available: true })).toMatchObject({ status: 'ok', required: false });
    const notRoot = checkWorkspaceQuota({ available: false, reason: 'the server is not root (…)' });
    expect(notRoot).toMatchObject({ status: 'warn', required: false });
    expect(notRoot.detail).toContain('NO disk quota');
    expect(notRoot.fix).toContain('root');
    expect(checkWorkspaceQuota({ available: false, reason: 'mkfs.ext4 is not installed' }).fix).toBe(
      'apt-get install -y e2fsprogs',
    );
  });

  it('slirp4netns: sandboxes have their own network and need it to get out', () => {
    expect(
      checkSandboxNetwork({ ok: true, notFound: false, output: 'slirp4netns version 1.2.0\ncommit: x' }),
    ).toMatchObject({ status: 'ok', detail: 'slirp4netns version 1.2.0', required: true });
    expect(checkSandboxNetwork({ ok: false, notFound: true, output: '' })).toMatchObject({
      status: 'missing',
      fix: 'apt-get install -y slirp4netns',
      required: true,
    });
  });

  it('opencode', () => {
    expect(checkOpenCode({ path: '/x/opencode', run: ran('1.18.33') }).detail).toBe('opencode 1.18.33');
    expect(checkOpenCode({ path: null, run: null }).status).toBe('missing');
    expect(checkOpenCode({ path: '/x/opencode', run: failed('exec format error') }).fix).toContain(
      'npm rebuild opencode-ai',
    );
  });

  it('data dir', () => {
    expect(checkDataDir({ path: '/d', writable: true }).status).toBe('ok');
    expect(checkDataDir({ path: '/d', writable: false, error: 'EACCES on /' }).fix).toContain('--data-dir');
  });

  it('model: configured, with the provider key when it needs one', () => {
    expect(checkModel({}).status).toBe('warn');
    expect(
      checkModel({ NIGHTSHIFT_MODEL: 'anthropic/claude-sonnet-4-5', ANTHROPIC_API_KEY: 'k' }).status,
    ).toBe('ok');
    expect(checkModel({ NIGHTSHIFT_MODEL: 'anthropic/claude-sonnet-4-5' })).toMatchObject({
      status: 'warn',
      fix: 'export ANTHROPIC_API_KEY=…',
    });
    expect(checkModel({ NIGHTSHIFT_MODEL: 'openai-compatible/llama3' }).fix).toContain(
      'NIGHTSHIFT_OPENAI_COMPATIBLE_BASE_URL',
    );
    expect(
      checkModel({
        NIGHTSHIFT_MODEL: 'openai-compatible/llama3',
        NIGHTSHIFT_OPENAI_COMPATIBLE_BASE_URL: 'http://x/v1',
      }).status,
    ).toBe('ok');
    expect(checkModel({ NIGHTSHIFT_MODEL: 'claude' }).detail).toContain('not provider/model');
  });

  it('sign-in: local mode, team mode with what is not set, and a combination the server refuses', async () => {
    const { resolveConfig } = await import('@nightshift/server');
    const config = (env: NodeJS.ProcessEnv, host = '127.0.0.1') => ({
      config: resolveConfig({ host, dataDir: '/d' }, env),
    });
    expect(checkAuth(config({}))).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('local mode'),
    });
    const insecure = checkAuth(config({ NIGHTSHIFT_INSECURE_NO_AUTH: '1' }, '0.0.0.0'));
    expect(insecure).toMatchObject({ status: 'warn', fix: expect.stringContaining('NIGHTSHIFT_AUTH=oidc') });

    const team = {
      NIGHTSHIFT_AUTH: 'oidc',
      NIGHTSHIFT_OIDC_ISSUER: 'https://sso.example.com',
      NIGHTSHIFT_OIDC_CLIENT_ID: 'nightshift',
      NIGHTSHIFT_ALLOWED_DOMAINS: 'example.com',
    };
    const gaps = checkAuth(config(team));
    expect(gaps.status).toBe('warn');
    expect(gaps.detail).toContain('team mode, sign-in with OpenID Connect (https://sso.example.com)');
    expect(gaps.detail).toContain('0 emails, 1 domain, 0 GitHub orgs');
    expect(gaps.detail).toContain('NIGHTSHIFT_PUBLIC_URL is not set');
    expect(gaps.detail).toContain('NIGHTSHIFT_ADMINS is empty');
    const complete = checkAuth(
      config({
        ...team,
        NIGHTSHIFT_PUBLIC_URL: 'https://nightshift.example.com',
        NIGHTSHIFT_ADMINS: 'ada@example.com',
        NIGHTSHIFT_ALLOWED_REPOS: 'https://github.com/acme/*',
      }),
    );
    expect(complete).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('https://nightshift.example.com'),
    });

    expect(
      checkAuth({ error: 'NIGHTSHIFT_OIDC_ISSUER: must be set when NIGHTSHIFT_AUTH=oidc' }),
    ).toMatchObject({
      status: 'missing',
      required: true,
      detail: expect.stringContaining('NIGHTSHIFT_OIDC_ISSUER: must be set'),
    });
  });

  it('the report lists every check with its fix and names what failed', () => {
    const results: CheckResult[] = [checkNode('v20.19.0'), checkBubblewrap(absent, absent), checkModel({})];
    const report = formatReport(results, makeColors(false));
    expect(report).toMatch(/ok {5} {2}node/);
    expect(report).toMatch(
      /missing {2}bubblewrap +bwrap is not installed\n +fix: apt-get install -y bubblewrap/,
    );
    expect(report).toContain('1 required check failed: bubblewrap');
  });
});

describe('nightshift doctor (subprocess)', () => {
  it('on this machine: every check reported, --json parseable', async () => {
    const dataDir = tempDir('ns-cli-doctor-');
    try {
      const r = await runCli(['doctor', '--json', '--data-dir', dataDir]);
      const report = JSON.parse(r.stdout) as { ok: boolean; checks: CheckResult[] };
      expect(report.checks.map((c) => c.name)).toEqual([
        'node',
        'git',
        'bubblewrap',
        'slirp4netns',
        'overlayfs',
        'cgroup limits',
        'workspace quota',
        'opencode',
        'data dir',
        'model',
        'sign-in',
      ]);
      expect(r.code).toBe(report.ok ? 0 : 1);
      expect(report.checks.find((c) => c.name === 'data dir')?.status).toBe('ok');
    } finally {
      removeDir(dataDir);
    }
  });

  it('a sign-in setting the server would refuse: named, and doctor exits 1', async () => {
    const dataDir = tempDir('ns-cli-doctor-');
    try {
      const r = await runCli(['doctor', '--json', '--data-dir', dataDir], {
        env: { NIGHTSHIFT_AUTH: 'oidc' },
      });
      const report = JSON.parse(r.stdout) as { ok: boolean; checks: CheckResult[] };
      expect(r.code).toBe(1);
      expect(report.checks.find((c) => c.name === 'sign-in')).toMatchObject({
        status: 'missing',
        detail: expect.stringContaining('NIGHTSHIFT_OIDC_ISSUER'),
      });
    } finally {
      removeDir(dataDir);
    }
  });

  it('with bwrap off the PATH: says how to install it and exits 1', async () => {
    const bin = tempDir('ns-cli-path-');
    try {
      symlinkSync(process.execPath, path.join(bin, 'node'));
      symlinkSync('/usr/bin/git', path.join(bin, 'git'));
      const r = await runCli(['doctor'], { env: { PATH: bin } });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/missing {2}bubblewrap +bwrap is not installed/);
      expect(r.stdout).toContain('fix: apt-get install -y bubblewrap');
      expect(r.stdout).toContain('required check');
    } finally {
      removeDir(bin);
    }
  });
});
