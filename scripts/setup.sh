#!/usr/bin/env bash
# Installs what Nightshift needs on this machine: the system packages (with apt, when they are
# missing and we are allowed to), the npm dependencies, and the built web UI. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*"; }

# Node first: everything else is installed by npm, which needs a recent enough Node.
node_version="$(node --version 2>/dev/null || echo none)"
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' 2>/dev/null; then
  say "Node ${node_version} is too old or missing: Nightshift needs Node 20.19 or newer (https://nodejs.org)."
  exit 1
fi
say "Node ${node_version}: ok"

# command → Debian package that provides it, and why we need it
commands=(git bwrap slirp4netns mkfs.ext4 chromium strace)
declare -A package=([git]=git [bwrap]=bubblewrap [slirp4netns]=slirp4netns [mkfs.ext4]=e2fsprogs [chromium]=chromium [strace]=strace)
declare -A purpose=(
  [git]="clones repositories and commits the agent's work"
  [bwrap]="isolates each session's agent in a sandbox"
  [slirp4netns]="gives each sandbox its own network, with outbound access but no way onto the host's ports"
  [mkfs.ext4]="gives each workspace its own size-capped filesystem (as root)"
  [chromium]="runs the web UI's browser tests"
  [strace]="slows bubblewrap down in a test, to hold the sandbox start's loopback race open"
)
missing=()
for cmd in "${commands[@]}"; do
  if command -v "$cmd" >/dev/null 2>&1; then
    say "${package[$cmd]}: ok"
  else
    say "${package[$cmd]}: missing (${purpose[$cmd]})"
    missing+=("${package[$cmd]}")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing with apt-get: ${missing[*]} (this can take a few minutes)"
    export DEBIAN_FRONTEND=noninteractive
    if apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
      say "installed: ${missing[*]}"
    else
      say "apt-get could not install ${missing[*]}; install them yourself, then run this again."
      say "\`npx nightshift doctor\` says what each one is for and how to fix what is still missing."
    fi
  else
    say "cannot install system packages here (needs root and apt-get). Run:"
    say "  sudo apt-get install -y ${missing[*]}"
    say "then run this again; \`npx nightshift doctor\` explains what each one is for."
  fi
fi

say "installing npm dependencies (npm ci)…"
if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
else
  npm install --no-audit --no-fund --loglevel=error
fi

say "compiling the TypeScript packages…"
node scripts/build.mjs >/dev/null

say "building the web UI…"
# Vite's chatter goes to a log; only a failure is worth showing.
build_log="$(mktemp)"
if ! npm run --silent build -w @nightshift/web >"$build_log" 2>&1; then
  cat "$build_log"
  say "building the web UI failed (output above)."
  exit 1
fi
rm -f "$build_log"

say "done. Start the server with \`npx nightshift up\`, or watch a whole session offline with \`npx nightshift demo\`."
say "\`npx nightshift doctor\` checks sandboxing, cgroups, OpenCode, the data dir and the model."
