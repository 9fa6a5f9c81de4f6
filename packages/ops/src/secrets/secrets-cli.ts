#!/usr/bin/env node
import { assertNodeVersion } from '@orderscope/platform/node-version';
/**
 * `orderscope-secrets DIR [--rotate] [--per-consumer]`: the stack's secrets (secrets.ts says
 * which, and how they are kept). Used by local:up and by compose's secrets-init.
 */
import { CONSUMERS, ensureSecrets } from './secrets.js';

assertNodeVersion('orderscope-secrets');

const args = process.argv.slice(2);
const dir = args.find((a) => !a.startsWith('--'));
const unknown = args.filter((a) => a.startsWith('--') && a !== '--rotate' && a !== '--per-consumer');
if (!dir || unknown.length) {
  console.error(`usage: orderscope-secrets DIR [--rotate] [--per-consumer]${unknown.length ? ` (unknown: ${unknown.join(' ')})` : ''}`);
  process.exit(2);
}
const perConsumer = args.includes('--per-consumer');
if (perConsumer && process.getuid?.() !== 0) {
  console.error("orderscope-secrets: --per-consumer hands each directory to its container's uid: run it as root (compose's secrets-init)");
  process.exit(2);
}
const result = ensureSecrets(dir, { rotate: args.includes('--rotate'), perConsumer });
console.log(JSON.stringify({ msg: 'secrets ready', dir, ...result, ...(perConsumer ? { consumers: Object.keys(CONSUMERS) } : {}) }));
