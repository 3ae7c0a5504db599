/**
 * The seccomp filter of a local sandbox, as the classic BPF program bubblewrap loads from
 * `--seccomp FD`. Nothing in a sandbox (supervisor, git, node, npm, OpenCode) needs to trace or
 * read another process, make namespaces, touch the kernel keyring, load BPF or modules, or
 * mount: those calls fail with EPERM, so a tool that probes for them degrades instead of dying.
 */

export type SeccompArch = 'x64' | 'arm64';

/** `AUDIT_ARCH_*`: the arch field of `struct seccomp_data`, checked before any syscall number. */
export const AUDIT_ARCH: Record<SeccompArch, number> = {
  x64: 0xc000003e,
  arm64: 0xc00000b7,
};

/** Syscall numbers (x86_64, aarch64) of everything the sandbox is denied outright. */
const DENIED: Record<string, Record<SeccompArch, number>> = {
  ptrace: { x64: 101, arm64: 117 },
  process_vm_readv: { x64: 310, arm64: 270 },
  process_vm_writev: { x64: 311, arm64: 271 },
  kcmp: { x64: 312, arm64: 272 },
  pidfd_getfd: { x64: 438, arm64: 438 },
  unshare: { x64: 272, arm64: 97 },
  setns: { x64: 308, arm64: 268 },
  keyctl: { x64: 250, arm64: 219 },
  add_key: { x64: 248, arm64: 217 },
  request_key: { x64: 249, arm64: 218 },
  bpf: { x64: 321, arm64: 280 },
  perf_event_open: { x64: 298, arm64: 241 },
  userfaultfd: { x64: 323, arm64: 282 },
  kexec_load: { x64: 246, arm64: 104 },
  kexec_file_load: { x64: 320, arm64: 294 },
  init_module: { x64: 175, arm64: 105 },
  finit_module: { x64: 313, arm64: 273 },
  delete_module: { x64: 176, arm64: 106 },
  mount: { x64: 165, arm64: 40 },
  umount2: { x64: 166, arm64: 39 },
  pivot_root: { x64: 155, arm64: 41 },
  chroot: { x64: 161, arm64: 51 },
  open_tree: { x64: 428, arm64: 428 },
  move_mount: { x64: 429, arm64: 429 },
  fsopen: { x64: 430, arm64: 430 },
  fsconfig: { x64: 431, arm64: 431 },
  fsmount: { x64: 432, arm64: 432 },
  fspick: { x64: 433, arm64: 433 },
  swapon: { x64: 167, arm64: 224 },
  swapoff: { x64: 168, arm64: 225 },
  reboot: { x64: 169, arm64: 142 },
  acct: { x64: 163, arm64: 89 },
};

const CLONE = { x64: 56, arm64: 220 } as const;
/**
 * clone3 passes its flags in memory a filter cannot read: it answers ENOSYS, which makes libc
 * fall back to clone, whose flags it can.
 */
const CLONE3 = 435;

/** CLONE_NEW{NS,CGROUP,UTS,IPC,USER,PID,NET}. (CLONE_NEWTIME shares its bit with clone's exit signal.) */
export const CLONE_NAMESPACE_FLAGS =
  0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;

/** On x86_64, syscall numbers with this bit are the x32 ABI: another table, refused as a whole. */
const X32_SYSCALL_BIT = 0x40000000;

export const EPERM = 1;
export const ENOSYS = 38;

// Classic BPF (linux/filter.h, linux/seccomp.h).
const BPF_LD_W_ABS = 0x20;
const BPF_JEQ_K = 0x15;
const BPF_JGE_K = 0x35;
const BPF_JSET_K = 0x45;
const BPF_RET_K = 0x06;
export const SECCOMP_RET_KILL_PROCESS = 0x80000000;
export const SECCOMP_RET_ERRNO = 0x00050000;
export const SECCOMP_RET_ALLOW = 0x7fff0000;
/** Offsets in `struct seccomp_data`: nr, arch, then the low word of args[0] (little-endian). */
const OFFSET_NR = 0;
const OFFSET_ARCH = 4;
const OFFSET_ARG0_LOW = 16;

export interface BpfInstruction {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

/** The machine this server runs on, as a filter arch, or null where no filter is known. */
export function seccompArchOf(arch: string = process.arch): SeccompArch | null {
  return arch === 'x64' || arch === 'arm64' ? arch : null;
}

/**
 * The filter for one arch: a foreign arch (a 32-bit binary on a 64-bit kernel, whose numbers
 * mean other calls) kills the process; the denied calls, namespace-making clones and the x32
 * table answer EPERM; clone3 answers ENOSYS; everything else is allowed.
 */
export function sandboxSeccompFilter(arch: SeccompArch): BpfInstruction[] {
  const errno = (n: number) => ret(SECCOMP_RET_ERRNO | n);
  const denied = Object.values(DENIED).map((numbers) => numbers[arch]);
  const program: BpfInstruction[] = [
    load(OFFSET_ARCH),
    jump(BPF_JEQ_K, AUDIT_ARCH[arch], 1, 0),
    ret(SECCOMP_RET_KILL_PROCESS),
    load(OFFSET_NR),
  ];
  if (arch === 'x64') program.push(jump(BPF_JGE_K, X32_SYSCALL_BIT, 0, 1), errno(EPERM));
  for (const nr of denied) program.push(jump(BPF_JEQ_K, nr, 0, 1), errno(EPERM));
  program.push(jump(BPF_JEQ_K, CLONE3, 0, 1), errno(ENOSYS));
  program.push(
    jump(BPF_JEQ_K, CLONE[arch], 0, 3),
    load(OFFSET_ARG0_LOW),
    jump(BPF_JSET_K, CLONE_NAMESPACE_FLAGS, 0, 1),
    errno(EPERM),
  );
  program.push(ret(SECCOMP_RET_ALLOW));
  return program;
}

/** `struct sock_filter[]` as the kernel reads it: u16 code, u8 jt, u8 jf, u32 k, little-endian. */
export function encodeBpf(program: BpfInstruction[]): Buffer {
  const out = Buffer.alloc(program.length * 8);
  program.forEach(({ code, jt, jf, k }, i) => {
    out.writeUInt16LE(code, i * 8);
    out.writeUInt8(jt, i * 8 + 2);
    out.writeUInt8(jf, i * 8 + 3);
    out.writeUInt32LE(k >>> 0, i * 8 + 4);
  });
  return out;
}

/** What a filter answers for one call: a tiny classic-BPF interpreter, for tests and doubt. */
export function evaluateBpf(
  program: BpfInstruction[],
  call: { arch: number; nr: number; arg0?: number },
): number {
  let accumulator = 0;
  for (let pc = 0; pc < program.length; pc++) {
    const { code, jt, jf, k } = program[pc]!;
    if (code === BPF_LD_W_ABS) {
      accumulator =
        k === OFFSET_ARCH
          ? call.arch
          : k === OFFSET_NR
            ? call.nr
            : k === OFFSET_ARG0_LOW
              ? (call.arg0 ?? 0)
              : 0;
    } else if (code === BPF_RET_K) {
      return k >>> 0;
    } else {
      const taken =
        code === BPF_JEQ_K
          ? accumulator >>> 0 === k >>> 0
          : code === BPF_JGE_K
            ? accumulator >>> 0 >= k >>> 0
            : code === BPF_JSET_K
              ? (accumulator & k) !== 0
              : false;
      pc += taken ? jt : jf;
    }
  }
  throw new Error('the filter fell off its end');
}

/** The numbers of the denied calls, by name, for tests and the documentation. */
export function deniedSyscalls(arch: SeccompArch): Record<string, number> {
  return Object.fromEntries(Object.entries(DENIED).map(([name, numbers]) => [name, numbers[arch]]));
}

function load(offset: number): BpfInstruction {
  return { code: BPF_LD_W_ABS, jt: 0, jf: 0, k: offset };
}

function jump(code: number, k: number, jt: number, jf: number): BpfInstruction {
  return { code, jt, jf, k };
}

function ret(k: number): BpfInstruction {
  return { code: BPF_RET_K, jt: 0, jf: 0, k };
}
