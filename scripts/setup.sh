#!/usr/bin/env bash
# Installs what Nightshift needs on this machine: the system packages (with apt, when they are
# missing and we are allowed to) and the npm dependencies. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# command → Debian package that provides it
declare -A needs=(
  [git]=git
  [bwrap]=bubblewrap
  [chromium]=chromium
)
missing=()
for cmd in "${!needs[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${needs[$cmd]}")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing system packages: ${missing[*]}"
    echo "setup: install them with: sudo apt-get install -y ${missing[*]}   (then run this again)"
    echo "setup: \`npx nightshift doctor\` explains what each one is for."
  fi
fi

if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund
else
  npm install --no-audit --no-fund
fi
