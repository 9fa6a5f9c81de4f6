#!/usr/bin/env bash
# The workspace's layering (docs/architecture.md, rules in .dependency-cruiser.cjs): the real tree
# must have no violation, and the fixture tree must break each rule exactly where it is meant to.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
depcruise="$PWD/node_modules/.bin/depcruise"

"$depcruise" --config .dependency-cruiser.cjs --output-type err \
  packages/*/src packages/*/test services/*/src services/*/test e2e/test

fixture=tools/layering-fixture
found="$(cd "$fixture" && "$depcruise" --config ../../.dependency-cruiser.cjs --output-type json packages services \
  | node -e '
    const { summary } = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
    const seen = summary.violations.map((v) => `${v.rule.name} ${v.from}${v.cycle ? "" : ` -> ${v.to}`}`);
    console.log([...new Set(seen)].sort().join("\n"));
  ')"
expected="$(sort <<'LIST'
no-circular packages/orders/src/a.ts
no-service-imports-another services/shop/src/peek.ts -> services/crm/src/routes.ts
platform-imports-nothing-above-it packages/platform/src/leak.ts -> packages/orders/src/lifecycle.ts
services-stand-on-the-kit services/shop/src/tooling.ts -> packages/testkit/src/index.ts
testkit-only-in-tests services/shop/src/tooling.ts -> packages/testkit/src/index.ts
LIST
)"
if [[ "$found" != "$expected" ]]; then
  echo "check-layers: the rules no longer catch the fixture's wrong imports as they should" >&2
  diff <(echo "$expected") <(echo "$found") >&2 || true
  exit 1
fi
echo "check-layers: no layering violation; the fixture's $(wc -l <<<"$expected") wrong imports are caught"
