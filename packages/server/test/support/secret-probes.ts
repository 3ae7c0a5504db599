/**
 * Shell commands an agent runs to hunt for credentials inside its own sandbox, and the readers of
 * what they find. System python3 and perl only (the sandbox has no strace or gdb of its own on
 * some hosts), so the probes work wherever the sandbox's /usr does.
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sandboxProcesses } from './agent-process.js';

/** What the agent could open of one process in its sandbox. */
export interface ProcessView {
  cmdline: string;
  environ: 'readable' | 'denied';
  mem: 'readable' | 'denied';
  /** Whether `memoryMarker` was found in the process's readable memory. */
  markerInMemory: boolean;
}

/**
 * The supervisor as the agent sees it in /proc: an interpreter running the sandbox package (not
 * bubblewrap's init, whose command line names it too).
 */
export const isSupervisor = (view: ProcessView) => /^\S+ \S*sandbox\/dist\/main\.js/.test(view.cmdline);

/**
 * Reads every process's environ, cmdline and memory it can, copies environ and cmdline into
 * `dumpDir` (for the test to search on the host, without the agent ever printing a secret), and
 * prints one `PROBE {pid: view}` line. Memory is searched for `memoryMarker` in place: a
 * non-secret prefix of a credential the test chose.
 */
export function procProbe(dumpDir: string, memoryMarker: string): string {
  const script = `
import os, json
# Spelled backwards in the command, so the shell and OpenCode holding the command do not match.
marker = ${JSON.stringify([...memoryMarker].reverse().join(''))}[::-1].encode()
os.makedirs(${JSON.stringify(dumpDir)}, exist_ok=True)
me = str(os.getpid())
views = {}
for pid in sorted((p for p in os.listdir('/proc') if p.isdigit()), key=int):
    if pid == me:
        continue
    view = {'cmdline': '', 'environ': 'denied', 'mem': 'denied', 'markerInMemory': False}
    try:
        raw = open(f'/proc/{pid}/cmdline', 'rb').read()
        view['cmdline'] = raw.replace(b'\\0', b' ').decode(errors='replace')[:300]
        open(os.path.join(${JSON.stringify(dumpDir)}, pid + '.cmdline'), 'wb').write(raw)
    except OSError:
        continue
    try:
        env = open(f'/proc/{pid}/environ', 'rb').read()
        open(os.path.join(${JSON.stringify(dumpDir)}, pid + '.environ'), 'wb').write(env)
        view['environ'] = 'readable'
    except OSError:
        pass
    try:
        mem = open(f'/proc/{pid}/mem', 'rb', 0)
        maps = open(f'/proc/{pid}/maps').read().splitlines()
        view['mem'] = 'readable'
        for line in maps:
            fields = line.split()
            if not fields[1].startswith('r') or (len(fields) > 5 and fields[5] in ('[vvar]', '[vsyscall]')):
                continue
            start, end = (int(x, 16) for x in fields[0].split('-'))
            if end - start > 1 << 30:
                continue
            try:
                mem.seek(start)
                if marker in mem.read(end - start):
                    view['markerInMemory'] = True
            except OSError:
                pass
    except OSError:
        view['mem'] = 'denied'
    views[pid] = view
print('PROBE ' + json.dumps(views))
`;
  return `/usr/bin/python3 - <<'PY'\n${script}\nPY`;
}

export function parseProbe(output: string): Record<string, ProcessView> {
  const line = output.split('\n').find((l) => l.startsWith('PROBE '));
  if (!line) throw new Error(`no probe output in: ${output.slice(0, 2000)}`);
  return JSON.parse(line.slice('PROBE '.length)) as Record<string, ProcessView>;
}

/**
 * Tries to ptrace-attach the supervisor, with strace when the sandbox has it and with a raw
 * ptrace(2) from python either way; prints `STRACE …` and `PTRACE <result> <errno>` lines.
 */
export function traceSupervisorProbe(): string {
  const script = `
import ctypes, os, time
libc = ctypes.CDLL(None, use_errno=True)
def is_supervisor(pid):
    args = open(f'/proc/{pid}/cmdline', 'rb').read().split(b'\\0')
    return len(args) > 1 and args[1].endswith(b'sandbox/dist/main.js')
sup = next(p for p in os.listdir('/proc') if p.isdigit() and is_supervisor(p))
print('SUPERVISOR', sup)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
result = libc.ptrace(16, int(sup), None, None)  # PTRACE_ATTACH
print('PTRACE', result, ctypes.get_errno())
if result == 0:
    os.waitpid(int(sup), 0)
    libc.ptrace(17, int(sup), None, None)  # PTRACE_DETACH
`;
  return [
    `/usr/bin/python3 - <<'PY' | tee /tmp/supervisor-pid\n${script}\nPY`,
    `SUP=$(sed -n 's/^SUPERVISOR //p' /tmp/supervisor-pid)`,
    `if command -v strace >/dev/null; then timeout 5 strace -e trace=none -p "$SUP" 2>&1 | head -3 | sed 's/^/STRACE /'; else echo 'STRACE absent'; fi`,
  ].join('\n');
}

/** The host-side view of a session's sandbox: the secrets its launcher was started with. */
export function launcherSecrets(dataDir: string, sessionId: string): { token: string; gitPassword: string } {
  const launcher = sandboxProcesses(dataDir, sessionId).find((p) => p.cmdline.startsWith('/bin/sh'));
  if (!launcher) throw new Error(`no sandbox launcher for ${sessionId}`);
  const environ = readFileSync(`/proc/${launcher.pid}/environ`, 'utf8');
  const value = (name: string) => new RegExp(`(?:^|\\0)${name}=([^\\0]*)`).exec(environ)?.[1] ?? '';
  return { token: value('NIGHTSHIFT_SANDBOX_TOKEN'), gitPassword: value('NIGHTSHIFT_GIT_PASSWORD') };
}

/** Every file under `dir` (below `maxBytes` each) that contains one of `secrets`, as `path: secret`. */
export function filesHolding(dir: string, secrets: string[], maxBytes = 8 * 1024 * 1024): string[] {
  const found: string[] = [];
  const walk = (at: string) => {
    let names: string[];
    try {
      names = readdirSync(at);
    } catch {
      return;
    }
    for (const name of names) {
      const full = path.join(at, name);
      let stat;
      try {
        stat = lstatSync(full);
      } catch {
        continue;
      }
      if (stat.isDirectory()) walk(full);
      else if (stat.isFile() && stat.size <= maxBytes) {
        const text = readFileSync(full, 'latin1');
        for (const secret of secrets)
          if (text.includes(secret)) found.push(`${full}: ${secret.slice(0, 6)}…`);
      }
    }
  };
  walk(dir);
  return found;
}
