import { describe, expect, it } from 'vitest';
import { bwrapArgs } from '../src/sandboxes/local/bwrap-args.js';
import { parseReceivePackCommands } from '../src/scm/git-pkt.js';

function pkt(line: string): string {
  return (line.length + 4).toString(16).padStart(4, '0') + line;
}

describe('receive-pack commands', () => {
  const a = 'a'.repeat(40);
  const b = 'b'.repeat(40);
  it('reads every ref a push updates, capabilities aside', () => {
    const body = Buffer.from(
      pkt(`${a} ${b} refs/heads/nightshift/x\0report-status side-band-64k\n`) +
        pkt(`${a} ${b} refs/heads/main\n`) +
        '0000PACK...',
    );
    expect(parseReceivePackCommands(body)).toEqual([
      { oldSha: a, newSha: b, ref: 'refs/heads/nightshift/x' },
      { oldSha: a, newSha: b, ref: 'refs/heads/main' },
    ]);
  });

  it('rejects what is not a command list', () => {
    expect(parseReceivePackCommands(Buffer.from('zzzz'))).toBeUndefined();
    expect(parseReceivePackCommands(Buffer.from(pkt('hello world\n') + '0000'))).toBeUndefined();
    expect(parseReceivePackCommands(Buffer.from(pkt(`${a} ${b} refs/heads/x\n`)))).toBeUndefined(); // no flush
  });
});

describe('bubblewrap command line', () => {
  const args = bwrapArgs(
    {
      workspace: '/data/sandboxes/s1/workspace',
      state: '/data/sandboxes/s1/state',
      readOnly: ['/opt/nightshift', '/opt/nightshift/node_modules'],
      hidden: ['/opt/nightshift/.data', '/elsewhere'],
      rootSymlinks: { lib: 'usr/lib' },
      systemDirs: ['/usr', '/etc'],
    },
    ['node', 'main.ts'],
  );
  const joined = args.join(' ');

  it('drops every capability, unshares namespaces and dies with its launcher', () => {
    expect(joined).toContain('--cap-drop ALL');
    for (const flag of [
      '--unshare-user',
      '--unshare-pid',
      '--unshare-ipc',
      '--die-with-parent',
      '--new-session',
    ]) {
      expect(args).toContain(flag);
    }
    expect(args).not.toContain('--share-net-none');
  });

  it('as root, binds with root rights and drops to the session uid with no capabilities inside', () => {
    const asRoot = bwrapArgs(
      {
        workspace: '/w',
        state: '/s',
        readOnly: ['/root/nightshift'],
        hidden: [],
        rootSymlinks: {},
        systemDirs: ['/usr'],
        dropTo: { uid: 201234, gid: 201234 },
      },
      ['node', 'main.ts'],
    );
    const command = asRoot.slice(asRoot.indexOf('--') + 1);
    expect(command.slice(0, 3)).toEqual(['setpriv', '--reuid=201234', '--regid=201234']);
    for (const flag of ['--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--no-new-privs'])
      expect(command).toContain(flag);
    expect(command.slice(-2)).toEqual(['node', 'main.ts']);
    expect(asRoot).toContain('--unshare-pid');
  });

  it('binds an install under /tmp on top of the private /tmp, not under it', () => {
    const underTmp = bwrapArgs(
      {
        workspace: '/w',
        state: '/s',
        readOnly: ['/tmp/fresh'],
        hidden: [],
        rootSymlinks: {},
        systemDirs: [],
      },
      ['node'],
    ).join(' ');
    expect(underTmp.indexOf('--tmpfs /tmp')).toBeLessThan(
      underTmp.indexOf('--ro-bind /tmp/fresh /tmp/fresh'),
    );
  });

  it('makes only the workspace and state writable, the toolchain read-only, /tmp private', () => {
    expect(joined).toContain('--bind /data/sandboxes/s1/workspace /workspace');
    expect(joined).toContain('--bind /data/sandboxes/s1/state /state');
    expect(args.filter((a) => a === '--bind')).toHaveLength(2);
    expect(joined).toContain('--ro-bind /usr /usr');
    expect(joined).toContain('--ro-bind /opt/nightshift /opt/nightshift');
    expect(joined).not.toContain('--ro-bind /opt/nightshift/node_modules'); // covered by its parent
    expect(joined).toContain('--tmpfs /tmp');
    expect(joined).toContain('--symlink usr/lib /lib');
  });

  it('hides the data dir when it sits inside a read-only mount', () => {
    expect(joined).toContain('--tmpfs /opt/nightshift/.data');
    expect(joined).not.toContain('--tmpfs /elsewhere');
  });

  it('runs the command in the workspace', () => {
    expect(args.slice(-5)).toEqual(['--chdir', '/workspace', '--', 'node', 'main.ts']);
  });
});
