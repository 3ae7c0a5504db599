#!/usr/bin/env bash
# Runs the sandbox security suites (the attacks and the isolation tests) as an unprivileged user,
# as a server started without root runs them: the sandbox's walls are different there (no uid
# per session, no cgroups of its own), and they must hold too. Needs root to create the user;
# takes a copy of this checkout, so the tree stays root's.
#
#   bash scripts/test-unprivileged.sh [vitest filters…]
set -euo pipefail
cd "$(dirname "$0")/.."

user=nightshift-test
if [ "$(id -u)" != 0 ]; then
  echo "test-unprivileged: run as root (it creates the user '$user'); as a non-root user, run npx vitest directly" >&2
  exit 2
fi
id "$user" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$user"
home=$(getent passwd "$user" | cut -d: -f6)
copy="$home/nightshift"
rm -rf "$copy"
# node_modules is copied too: the user must not need the network or write into root's tree.
cp -a . "$copy"
chown -R "$user:$user" "$copy"

filters=("$@")
[ ${#filters[@]} -gt 0 ] || filters=(packages/server/test/attacks packages/server/test/agent-isolation.e2e.test.ts)
echo "test-unprivileged: running ${filters[*]} as $user (uid $(id -u "$user"))"
runuser -u "$user" -- env -i HOME="$home" PATH="$PATH" LANG=C.UTF-8 \
  bash -c 'cd "$1" && shift && exec npx vitest run "$@"' _ "$copy" "${filters[@]}"
