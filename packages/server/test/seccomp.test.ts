import { describe, expect, it } from 'vitest';
import {
  AUDIT_ARCH,
  CLONE_NAMESPACE_FLAGS,
  deniedSyscalls,
  encodeBpf,
  ENOSYS,
  EPERM,
  evaluateBpf,
  sandboxSeccompFilter,
  seccompArchOf,
  SECCOMP_RET_ALLOW,
  SECCOMP_RET_ERRNO,
  SECCOMP_RET_KILL_PROCESS,
  type SeccompArch,
} from '../src/sandboxes/local/seccomp.js';

const ARCHES: SeccompArch[] = ['x64', 'arm64'];
// Ordinary calls: read, write, openat, execve (x86_64 / aarch64).
const ORDINARY: Record<SeccompArch, number[]> = { x64: [0, 1, 257, 59], arm64: [63, 64, 56, 221] };
const CLONE: Record<SeccompArch, number> = { x64: 56, arm64: 220 };
// What fork and pthread_create pass to clone.
const SIGCHLD = 17;
const THREAD_FLAGS = 0x3d0f00;

describe('the sandbox seccomp filter', () => {
  for (const arch of ARCHES) {
    const program = sandboxSeccompFilter(arch);
    const run = (nr: number, arg0 = 0) => evaluateBpf(program, { arch: AUDIT_ARCH[arch], nr, arg0 });

    describe(arch, () => {
      it('answers EPERM to tracing, namespaces, keyrings, bpf, modules and mounts', () => {
        const denied = deniedSyscalls(arch);
        for (const name of ['ptrace', 'process_vm_readv', 'process_vm_writev', 'unshare', 'setns'])
          expect(run(denied[name]!), name).toBe(SECCOMP_RET_ERRNO | EPERM);
        for (const name of ['keyctl', 'add_key', 'request_key', 'bpf', 'perf_event_open', 'kexec_load'])
          expect(run(denied[name]!), name).toBe(SECCOMP_RET_ERRNO | EPERM);
        for (const name of [
          'init_module',
          'finit_module',
          'mount',
          'umount2',
          'pivot_root',
          'swapon',
          'reboot',
        ])
          expect(run(denied[name]!), name).toBe(SECCOMP_RET_ERRNO | EPERM);
      });

      it('allows ordinary calls, fork and threads, but not a clone into new namespaces', () => {
        for (const nr of ORDINARY[arch]) expect(run(nr)).toBe(SECCOMP_RET_ALLOW);
        expect(run(CLONE[arch], SIGCHLD)).toBe(SECCOMP_RET_ALLOW);
        expect(run(CLONE[arch], THREAD_FLAGS)).toBe(SECCOMP_RET_ALLOW);
        for (const flag of [0x10000000, 0x20000000, 0x00020000, 0x40000000])
          expect(run(CLONE[arch], SIGCHLD | flag)).toBe(SECCOMP_RET_ERRNO | EPERM);
        expect(CLONE_NAMESPACE_FLAGS & SIGCHLD).toBe(0);
      });

      it('sends clone3, whose flags it cannot read, back to clone with ENOSYS', () => {
        expect(run(435)).toBe(SECCOMP_RET_ERRNO | ENOSYS);
      });

      it('kills a process calling in with another architecture’s numbers', () => {
        const foreign = arch === 'x64' ? AUDIT_ARCH.arm64 : AUDIT_ARCH.x64;
        expect(evaluateBpf(program, { arch: foreign, nr: 0 })).toBe(SECCOMP_RET_KILL_PROCESS);
        expect(evaluateBpf(program, { arch: 0x40000003 /* i386 */, nr: 1 })).toBe(SECCOMP_RET_KILL_PROCESS);
      });
    });
  }

  it('refuses the x32 syscall table on x86_64', () => {
    const program = sandboxSeccompFilter('x64');
    expect(evaluateBpf(program, { arch: AUDIT_ARCH.x64, nr: 0x40000000 + 101 })).toBe(
      SECCOMP_RET_ERRNO | EPERM,
    );
  });

  it('encodes struct sock_filter: u16 code, u8 jt, u8 jf, u32 k, little-endian', () => {
    const bytes = encodeBpf([
      { code: 0x20, jt: 0, jf: 0, k: 4 },
      { code: 0x15, jt: 1, jf: 2, k: 0xc000003e },
      { code: 0x06, jt: 0, jf: 0, k: SECCOMP_RET_ALLOW },
    ]);
    expect(bytes.toString('hex')).toBe(
      [
        '2000' + '00' + '00' + '04000000',
        '1500' + '01' + '02' + '3e0000c0',
        '0600' + '00' + '00' + '0000ff7f',
      ].join(''),
    );
    const program = sandboxSeccompFilter('arm64');
    expect(encodeBpf(program).length).toBe(program.length * 8);
    // The kernel limit (BPF_MAXINSNS), and every jump lands inside the program.
    expect(program.length).toBeLessThan(4096);
    program.forEach((insn, i) => {
      const isJump = (insn.code & 0x07) === 0x05;
      if (isJump) expect(i + 1 + Math.max(insn.jt, insn.jf)).toBeLessThan(program.length);
    });
    expect(program.at(-1)).toMatchObject({ code: 0x06, k: SECCOMP_RET_ALLOW });
  });

  it('knows the filter arch of this machine’s node, and none for others', () => {
    expect(seccompArchOf('x64')).toBe('x64');
    expect(seccompArchOf('arm64')).toBe('arm64');
    expect(seccompArchOf('ia32')).toBeNull();
  });
});
