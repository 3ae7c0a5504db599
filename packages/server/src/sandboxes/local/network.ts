/**
 * A local sandbox's network: its own namespace (bubblewrap `--unshare-net`), so nothing it binds
 * is on the host's addresses and no host address is its loopback, with outbound traffic through
 * slirp4netns, a user-space stack running on the host side. The control plane itself is reached
 * through the Unix socket bound into the sandbox (`SANDBOX_DOOR`), never over TCP: connections
 * slirp4netns makes to the host's loopback on a sandbox's behalf are refused by the control
 * plane's TCP gate (`sandbox-peers.ts`: slirp4netns is a child of the sandbox's launcher).
 *
 * Host loopback stays reachable through slirp4netns at `HOST_LOOPBACK_IN_SANDBOX`: the model
 * endpoints people run on their own machine (Ollama, vLLM) listen there.
 */
import path from 'node:path';
import { SANDBOX_DOOR } from './bwrap-args.js';

/** How a sandbox reaches the host's 127.0.0.1 (slirp4netns's gateway address). */
export const HOST_LOOPBACK_IN_SANDBOX = '10.0.2.2';

/** bubblewrap writes `{"child-pid": N}` here, and waits on the other before running the command. */
const INFO_FD = 8;
const BLOCK_FD = 9;

export const NETWORK_FDS = { infoFd: INFO_FD, blockFd: BLOCK_FD } as const;

/**
 * The launcher: starts bubblewrap (held before its command), learns the sandbox's pid, starts
 * slirp4netns for its network namespace, waits until the network is configured, then lets the
 * command run, and stays the parent of both until bubblewrap exits (see `LocalProvider`). The
 * FIFOs live in the session's directory on the host, which the sandbox does not see.
 */
const LAUNCHER = `
dir=$1; shift
rm -f "$dir/net-info" "$dir/net-go" "$dir/net-ready"
mkfifo -m 600 "$dir/net-info" "$dir/net-go" "$dir/net-ready" || exit 125
# A background command's stdin would be /dev/null: the supervisor's secrets come on this one.
exec 4<&0
"$@" <&4 4<&- ${INFO_FD}>"$dir/net-info" ${BLOCK_FD}<"$dir/net-go" &
sandbox=$!
exec 4<&-
exec 5<"$dir/net-info" 6>"$dir/net-go"
pid=
while read -r line <&5; do
  case $line in *child-pid*) pid=\${line##*: }; pid=\${pid%%[!0-9]*}; break ;; esac
done
if [ -z "$pid" ]; then exec 6>&-; wait "$sandbox"; exit $?; fi
# Without root, the namespace belongs to bubblewrap's user namespace: slirp4netns must join it.
userns=
[ "$(id -u)" = 0 ] || userns="--userns-path=/proc/$pid/ns/user"
slirp4netns --configure --mtu=65520 --ready-fd=7 $userns "$pid" tap0 7>"$dir/net-ready" >/dev/null &
slirp=$!
ready=$(head -c 1 "$dir/net-ready")
rm -f "$dir/net-info" "$dir/net-go" "$dir/net-ready"
if [ "$ready" != 1 ]; then
  echo "nightshift: slirp4netns could not set up the sandbox's network" >&2
  # Killed before it is let go: closing the other FIFO would release the command.
  kill -9 "$sandbox" "$slirp" 2>/dev/null; wait "$sandbox"; exit 125
fi
printf go >&6; exec 6>&-
# The info FIFO stays open for reading: bubblewrap must never write to a closed one (SIGPIPE).
# bubblewrap dies with its parent, this shell, which must die with its own, the launcher
# (killed alone, it would leave the sandbox running): sh has no parent-death signal, so it looks.
launcher=$PPID
while kill -0 "$sandbox" 2>/dev/null; do
  [ "$(cut -d' ' -f4 /proc/$$/stat)" = "$launcher" ] || { kill -9 "$sandbox" "$slirp" 2>/dev/null; break; }
  sleep 0.5
done
wait "$sandbox"; code=$?
exec 5<&-
kill "$slirp" 2>/dev/null
exit $code
`;

/** The control plane's socket, in the session's door directory (bound at `SANDBOX_DOOR`). */
export const DOOR_SOCKET = 'control.sock';

/** The sandbox's own loopback port where the supervisor forwards git to the door. */
const CONTROL_FORWARD_PORT = 7418;

/** How a sandbox with its own network is told to reach the control plane. */
export function doorEnv(bridgePath: string): {
  bridgeUrl: string;
  controlSocket: string;
  controlForwardPort: number;
  controlOrigin: string;
} {
  const controlSocket = `${SANDBOX_DOOR}/${DOOR_SOCKET}`;
  return {
    bridgeUrl: `ws+unix:${controlSocket}:${bridgePath}`,
    controlSocket,
    controlForwardPort: CONTROL_FORWARD_PORT,
    controlOrigin: `http://127.0.0.1:${CONTROL_FORWARD_PORT}`,
  };
}

/** The network launcher's argv (`/bin/sh -c …`), run by the sandbox's launcher in its place of bwrap. */
export function networkedLauncher(sandboxId: string, sessionDir: string, bwrap: string[]): string[] {
  return ['/bin/sh', '-c', LAUNCHER, `nightshift-network-${sandboxId}`, path.resolve(sessionDir), ...bwrap];
}

/**
 * The same URL as a sandbox must write it: the host's loopback is not the sandbox's. Other hosts
 * are unchanged.
 */
export function urlFromSandbox(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (!isLoopbackHost(parsed.hostname)) return url;
  parsed.hostname = HOST_LOOPBACK_IN_SANDBOX;
  return parsed.toString().replace(/\/$/, url.endsWith('/') ? '/' : '');
}

function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === 'localhost' || hostname.startsWith('127.') || hostname === '[::1]' || hostname === '0.0.0.0'
  );
}
