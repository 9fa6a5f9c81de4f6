#!/usr/bin/env node
// Writes the dashboards as the JSON Grafana provisions (grafana/provisioning/dashboards/<name>.json),
// or checks that the committed JSON is what the code generates:
// and docs/dashboards.md from the same code:
//   node packages/dashboards/dist/src/write-cli.js write|check DIR [DOC]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dashboardsDoc } from './docs.js';
import { DASHBOARDS } from './index.js';
import { layout } from './layout.js';

const [mode, dir, doc] = process.argv.slice(2);
if ((mode !== 'write' && mode !== 'check') || !dir) {
  console.error('usage: write-cli.js write|check DIR');
  process.exit(64);
}
const stale: string[] = [];
const built = Object.entries(DASHBOARDS).map(([name, make]) => [name, layout(make().build())] as const);
const files: Array<[string, string]> = built.map(([name, d]) => [join(dir, `${name}.json`), `${JSON.stringify(d, null, 2)}\n`]);
if (doc) files.push([doc, dashboardsDoc(built.map(([n, d]) => [n, d]))]);
for (const [file, content] of files) {
  if (mode === 'write') writeFileSync(file, content);
  else {
    let committed = '';
    try {
      committed = readFileSync(file, 'utf8');
    } catch {
      // missing: stale
    }
    if (committed !== content) stale.push(file);
  }
}
if (stale.length) {
  console.error(`dashboards: stale (regenerate with npm run dashboards:write): ${stale.join(', ')}`);
  process.exit(1);
}
console.log(`dashboards: ${Object.keys(DASHBOARDS).length} ${mode === 'write' ? 'written to' : 'up to date in'} ${dir}`);
