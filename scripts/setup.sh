#!/usr/bin/env bash
# Sets up a fresh machine for Rotor: pnpm, the redis-server and PostgreSQL binaries the tests and the demo
# start (never the system services), and the workspace's dependencies from the lockfile.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=10.34.8
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "==> installing pnpm $PNPM_VERSION"
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null 2>&1 || { echo "could not install pnpm with npm"; exit 1; }
fi

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || missing+=(postgresql)
# The client's TLS tests make a throwaway certificate with openssl.
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" != 0 ]; then echo "run as root (or install ${missing[*]} yourself)"; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null || { echo "apt-get install failed"; exit 1; }
fi

echo "==> pnpm install --frozen-lockfile"
pnpm install --frozen-lockfile
