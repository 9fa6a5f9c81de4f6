#!/usr/bin/env bash
# Check that the Dockerfile stays true, without a Docker engine (tools/dockerfile-check: BuildKit's
# own Dockerfile parser and .dockerignore matcher).
#
#   scripts/check-dockerfile.sh [--no-build]
#
# It builds the workspaces first (npm run build), so that everything the runtime stage copies from
# the build stage (dist/src, migrations, node_modules) can be looked up, then asserts:
#   - every FROM is exactly node:<NODE_VERSION>-bookworm-slim, NODE_VERSION being the version
#     scripts/ensure-node24.sh installs for the native stack and CI (override: ORDERSCOPE_NODE_VERSION);
#   - the final stage runs as USER node with NODE_ENV=production;
#   - every workspace manifest, and nothing else, is copied before `npm ci`;
#   - every workspace's package.json is in the image (node_modules/@orderscope/* links resolve),
#     and for the workspaces a compose command runs (and their workspace dependencies): the files
#     their package.json exports, their migrations, and their registry dependencies;
#   - every file a compose `command` names is in the image;
#   - .dockerignore keeps secrets, local state and local builds out of the context.
# Then jaeger/Dockerfile (Jaeger with its encrypted store, docs/storage-encryption.md), built from
# the same context:
#   - its base is a dated Debian bookworm slim tag (the suite the native stack runs), pinned;
#   - it copies Jaeger only from jaegertracing/jaeger:<JAEGER_VERSION of scripts/build-jaeger.sh>,
#     the release the native build pins, at the path the official image keeps the binary;
#   - it runs as root (only the entrypoint does: it mounts, then drops to uid 10001), with
#     JAEGER_LISTEN_HOST=0.0.0.0, and holds the entrypoint and scripts/jaeger-store.sh.
# Exit status: 0 OK, 1 a Dockerfile is wrong, 2 the check could not run.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/tools/dockerfile-check"
cd "$root"

build=1
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    *) echo "usage: scripts/check-dockerfile.sh [--no-build]" >&2; exit 2 ;;
  esac
done

NODE_VERSION="${ORDERSCOPE_NODE_VERSION:-$(sed -n 's/^NODE_VERSION=//p' scripts/ensure-node24.sh)}"
if [[ -z "$NODE_VERSION" ]]; then
  echo "check-dockerfile: no NODE_VERSION= in scripts/ensure-node24.sh" >&2
  exit 2
fi

# Node 24 (fs.globSync below; the same tsc run as CI).
PATH="$(bash scripts/ensure-node24.sh):$PATH"
if [[ "$build" == 1 ]]; then
  npm run -s build
fi

GO="${GO:-}"
if [[ -z "$GO" ]]; then
  if command -v go >/dev/null 2>&1; then GO="$(command -v go)"
  elif [[ -x /usr/local/go/bin/go ]]; then GO=/usr/local/go/bin/go
  else echo "check-dockerfile: Go toolchain not found (set GO=/path/to/go)" >&2; exit 2
  fi
fi

# Built once per content hash of its inputs into .tools/ (git-ignored), like check-compose.sh.
hash="$(
  cd "$src"
  {
    "$GO" env GOVERSION GOOS GOARCH
    find . -type f \( -name go.mod -o -name go.sum -o \( -name '*.go' ! -name '*_test.go' \) \) -print \
      | LC_ALL=C sort | while IFS= read -r f; do printf '%s\n' "$f"; cat "$f"; done
  } | sha256sum | cut -c1-16
)"
bin="$root/.tools/dockerfile-check/$hash/dockerfile-check"
if [[ ! -x "$bin" ]]; then
  echo "check-dockerfile: building dockerfile-check ($hash) ..." >&2
  mkdir -p "$(dirname "$bin")"
  tmp="$bin.tmp.$$"
  trap 'rm -f "$tmp"' EXIT
  (cd "$src" && GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0 "$GO" build -trimpath -o "$tmp" .)
  mv -f "$tmp" "$bin"
  trap - EXIT
fi

# What the image must hold, derived from the workspaces and docker-compose.yml (one flag a line).
expect_lines="$(node --input-type=module - "$root" <<'EOF'
import { existsSync, globSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2];
const json = (p) => JSON.parse(readFileSync(join(root, p), 'utf8'));
const out = [];
const flag = (name, value) => out.push(`--${name}`, value);

const rootPkg = json('package.json');
const workspaces = rootPkg.workspaces
  .flatMap((g) => globSync(g, { cwd: root }))
  .filter((d) => existsSync(join(root, d, 'package.json')))
  .sort();
const pkgs = new Map(workspaces.map((d) => [d, json(join(d, 'package.json'))]));
const byName = new Map([...pkgs].map(([d, p]) => [p.name, d]));

for (const m of ['package.json', 'package-lock.json', ...workspaces.map((d) => `${d}/package.json`)]) {
  flag('manifest', m);
}
flag('require', 'package.json');
flag('require', 'node_modules');

// Files the compose commands run, and the workspaces they belong to.
// (comments dropped: only what the file runs counts)
const compose = readFileSync(join(root, 'docker-compose.yml'), 'utf8').replace(/(^|\s)#.*$/gm, '$1');
const entries = new Set(compose.match(/\b(?:packages|services|scripts|e2e)\/[\w./-]*\.m?js\b/g) ?? []);
const runtime = new Set();
for (const e of entries) {
  flag('require', e);
  const ws = workspaces.find((d) => e.startsWith(`${d}/`));
  if (ws) runtime.add(ws);
}
// ... and the workspaces those depend on.
for (const ws of runtime) {
  for (const dep of Object.keys(pkgs.get(ws).dependencies ?? {})) {
    if (byName.has(dep)) runtime.add(byName.get(dep));
  }
}

// Every string a package.json points at for Node (main, bin, exports minus "types").
function targets(value, key = '') {
  if (typeof value === 'string') return key === 'types' ? [] : [value];
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => targets(v, k));
  return [];
}
for (const ws of workspaces) {
  flag('require', `${ws}/package.json`);
  flag('must-ignore', `${ws}/dist`);
  flag('must-ignore', `${ws}/node_modules`);
  if (!runtime.has(ws)) continue;
  const pkg = pkgs.get(ws);
  for (const t of [...targets(pkg.main), ...targets(pkg.bin), ...targets(pkg.exports)]) {
    flag('require', join(ws, t));
  }
  if (existsSync(join(root, ws, 'migrations'))) flag('require', `${ws}/migrations`);
  for (const dep of Object.keys(pkg.dependencies ?? {})) {
    if (byName.has(dep)) continue;
    const local = [join(ws, 'node_modules', dep), join('node_modules', dep)].find((p) => existsSync(join(root, p)));
    flag('require', `${local ?? join('node_modules', dep)}/package.json`);
  }
}
for (const p of ['.git', '.local', '.tools', '.env', 'certs', 'node_modules']) flag('must-ignore', p);
console.log(out.join('\n'));
EOF
)"
mapfile -t expect <<<"$expect_lines"

status=0
"$bin" -f "$root/Dockerfile" --context "$root" \
  --base "node:${NODE_VERSION}-bookworm-slim" --user node --env NODE_ENV=production \
  "${expect[@]}" || status=$?

JAEGER_VERSION="$(sed -n 's/^JAEGER_VERSION=\([0-9.]*\).*/\1/p' scripts/build-jaeger.sh)"
if [[ -z "$JAEGER_VERSION" ]]; then
  echo "check-dockerfile: no JAEGER_VERSION= in scripts/build-jaeger.sh" >&2
  exit 2
fi
jaeger_status=0
"$bin" -f "$root/jaeger/Dockerfile" --context "$root" \
  --base-regexp 'debian:bookworm-[0-9]{8}-slim' \
  --copy-from-image "jaegertracing/jaeger:$JAEGER_VERSION" \
  --user root --env JAEGER_LISTEN_HOST=0.0.0.0 \
  --require /cmd/jaeger/jaeger-linux \
  --require /usr/local/bin/jaeger-entrypoint.sh \
  --require /usr/local/bin/jaeger-store.sh \
  --must-ignore .local --must-ignore .tools --must-ignore .git --must-ignore certs \
  --must-ignore .env --must-ignore jaeger/build --must-ignore prometheus/build \
  --must-ignore alertmanager/build || jaeger_status=$?
if ((jaeger_status > status)); then status=$jaeger_status; fi
exit "$status"
