/**
 * A local sandbox's network: its own namespace (bubblewrap `--unshare-net`), so nothing it binds
 * is on the host's addresses and no host address is its loopback, with outbound traffic through
 * slirp4netns, a user-space stack running on the host side. The control plane itself is reached
 * through the Unix socket bound into the sandbox (`SANDBOX_DOOR`), never over TCP: should
 * slirp4netns ever bring a connection to the host's loopback, the control plane's TCP gate
 * refuses it (`sandbox-peers.ts`: slirp4netns is a child of the sandbox's launcher).
 *
 * slirp4netns runs with `--disable-host-loopback`: nothing on the host's loopback is reachable.
 * Models are reached through the sandbox's model relay (`model-relay.ts`), the control plane's
 * model proxy run by the launcher on the host side, on a Unix socket in the door directory, which
 * the supervisor serves on the sandbox's own loopback.
 */
import path from 'node:path';
import { INSTALL_DIR } from '../../host/install-dir.js';
import { RELAY_SETTINGS_VARIABLE } from '../../models/relay-settings.js';
import { SANDBOX_DOOR } from './bwrap-args.js';

/** The model relay's socket, beside the control plane's. */
const MODEL_SOCKET = 'model.sock';

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
dir=$1; node=$2; relay=$3; with_relay=$4; shift 4
rm -f "$dir/net-info" "$dir/net-go" "$dir/net-ready"
mkfifo -m 600 "$dir/net-info" "$dir/net-go" "$dir/net-ready" || exit 125
# A background command's stdin would be /dev/null: the supervisor's secrets come on this one.
exec 4<&0
# The model relay's settings (its real keys) stay on this, the host, side.
env -u ${RELAY_SETTINGS_VARIABLE} "$@" <&4 4<&- ${INFO_FD}>"$dir/net-info" ${BLOCK_FD}<"$dir/net-go" &
sandbox=$!
exec 4<&-
exec 5<"$dir/net-info" 6>"$dir/net-go"
pid=
while read -r line <&5; do
  case $line in *child-pid*) pid=\${line##*: }; pid=\${pid%%[!0-9]*}; break ;; esac
done
if [ -z "$pid" ]; then exec 6>&-; wait "$sandbox"; exit $?; fi
# bubblewrap's child gives the namespace's loopback 127.0.0.1 once its parent has written the pid,
# and dies if the address is there already: slirp4netns --configure brings lo up, which adds it.
# Once bubblewrap's address is in (its local route shows), bringing lo up again is harmless.
until grep -qs '/32 host LOCAL' "/proc/$pid/net/fib_trie"; do
  kill -0 "$sandbox" 2>/dev/null || { exec 6>&-; wait "$sandbox"; exit $?; }
  sleep 0.01
done
# Without root, the namespace belongs to bubblewrap's user namespace: slirp4netns must join it.
userns=
[ "$(id -u)" = 0 ] || userns="--userns-path=/proc/$pid/ns/user"
slirp4netns --configure --mtu=65520 --disable-host-loopback --ready-fd=7 $userns "$pid" tap0 7>"$dir/net-ready" >/dev/null &
slirp=$!
ready=$(head -c 1 "$dir/net-ready")
rm -f "$dir/net-info" "$dir/net-go" "$dir/net-ready"
if [ "$ready" != 1 ]; then
  echo "nightshift: slirp4netns could not set up the sandbox's network" >&2
  # Killed before it is let go: closing the other FIFO would release the command.
  kill -9 "$sandbox" "$slirp" 2>/dev/null; wait "$sandbox"; exit 125
fi
# The model relay lives as long as the sandbox, not the control plane: a reply keeps streaming.
model=
if [ -n "$with_relay" ]; then
  rm -f "$dir/model-ready"; mkfifo -m 600 "$dir/model-ready" || exit 125
  "$node" "$relay" "$dir/door/${MODEL_SOCKET}" "$dir" <&- >"$dir/model-ready" &
  model=$!
  ready=$(head -c 1 "$dir/model-ready")
  rm -f "$dir/model-ready"
  if [ "$ready" != 1 ]; then
    echo "nightshift: the model relay could not start" >&2
    kill -9 "$sandbox" "$slirp" "$model" 2>/dev/null; wait "$sandbox"; exit 125
  fi
fi
# A bubblewrap that died meanwhile left the FIFO without a reader: the SIGPIPE goes to a subshell,
# and bubblewrap's own exit code and message tell why (the loop below finds it gone).
(printf go >&6) 2>/dev/null
exec 6>&-
# The info FIFO stays open for reading: bubblewrap must never write to a closed one (SIGPIPE).
# bubblewrap dies with its parent, this shell, which must die with its own, the launcher
# (killed alone, it would leave the sandbox running): sh has no parent-death signal, so it looks.
launcher=$PPID
while kill -0 "$sandbox" 2>/dev/null; do
  [ "$(cut -d' ' -f4 /proc/$$/stat)" = "$launcher" ] || { kill -9 "$sandbox" "$slirp" $model 2>/dev/null; break; }
  sleep 0.5
done
wait "$sandbox"; code=$?
exec 5<&-
kill "$slirp" $model 2>/dev/null
exit $code
`;

/** The control plane's socket, in the session's door directory (bound at `SANDBOX_DOOR`). */
export const DOOR_SOCKET = 'control.sock';

/** The sandbox's own loopback ports where the supervisor forwards git to the door, and the model relay. */
const CONTROL_FORWARD_PORT = 7418;
const MODEL_FORWARD_PORT = 7419;

/** The compiled relay, run with the server's own node. */
const MODEL_RELAY = path.join(INSTALL_DIR, 'packages/server/dist/sandboxes/local/model-relay.js');

/** How a sandbox with its own network is told to reach the control plane and its model relay. */
export function doorEnv(bridgePath: string): {
  bridgeUrl: string;
  controlSocket: string;
  controlForwardPort: number;
  controlOrigin: string;
  modelSocket: string;
  modelForwardPort: number;
  /** The model proxy as the sandbox reaches its relay. */
  modelProxyOrigin: string;
} {
  const controlSocket = `${SANDBOX_DOOR}/${DOOR_SOCKET}`;
  return {
    bridgeUrl: `ws+unix:${controlSocket}:${bridgePath}`,
    controlSocket,
    controlForwardPort: CONTROL_FORWARD_PORT,
    controlOrigin: `http://127.0.0.1:${CONTROL_FORWARD_PORT}`,
    modelSocket: `${SANDBOX_DOOR}/${MODEL_SOCKET}`,
    modelForwardPort: MODEL_FORWARD_PORT,
    modelProxyOrigin: `http://127.0.0.1:${MODEL_FORWARD_PORT}`,
  };
}

/**
 * The network launcher's argv (`/bin/sh -c …`), run by the sandbox's launcher in its place of
 * bwrap; with `relay`, it also runs the model relay (on this same node), whose settings come in
 * the launcher's environment (`RELAY_SETTINGS_VARIABLE`).
 */
export function networkedLauncher(
  sandboxId: string,
  sessionDir: string,
  bwrap: string[],
  relay: boolean,
): string[] {
  return [
    '/bin/sh',
    '-c',
    LAUNCHER,
    `nightshift-network-${sandboxId}`,
    path.resolve(sessionDir),
    process.execPath,
    MODEL_RELAY,
    relay ? '1' : '',
    ...bwrap,
  ];
}
