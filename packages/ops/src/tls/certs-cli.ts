#!/usr/bin/env node
import { assertNodeVersion } from '@orderscope/platform/node-version';
import { ensureCertificates } from './certificates.js';

assertNodeVersion('orderscope-certs');

/**
 * `orderscope-certs DIR [--rotate] [--chown]`: the stack's demo CA and certificates (compose's
 * certs-init, local:up). Only a missing, incomplete or soon-expiring set is remade, unless
 * --rotate; --chown hands each component's directory to the user its container runs as.
 */
const args = process.argv.slice(2);
const dir = args.find((a) => !a.startsWith('--'));
const unknown = args.filter((a) => a.startsWith('--') && a !== '--rotate' && a !== '--chown');
if (!dir || unknown.length) {
  console.error(`usage: orderscope-certs DIR [--rotate] [--chown]${unknown.length ? ` (unknown: ${unknown.join(' ')})` : ''}`);
  process.exit(2);
}
try {
  const result = await ensureCertificates(dir, { rotate: args.includes('--rotate'), chownToComponents: args.includes('--chown') });
  console.log(JSON.stringify({ msg: result.created ? 'certificates made' : 'certificates kept', dir, reason: result.reason }));
} catch (err) {
  console.error(JSON.stringify({ msg: 'certificates failed', dir, error: (err as Error).message }));
  process.exit(1);
}
