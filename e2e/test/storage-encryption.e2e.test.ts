import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { before, describe, it } from 'node:test';
import { findOrderTraces } from './support/jaeger.js';
import { newB2cOrder, submit } from './support/orders.js';
import { E2E_DECISION_WAIT, eventually, restartCollector, root } from './support/stack.js';

/**
 * Jaeger's Badger store has no encryption of its own: the native stack (and compose) put it on a
 * gocryptfs view of an encrypted directory (docs/storage-encryption.md). An order Jaeger returns
 * must be readable through that view and nowhere in plain text in what reaches the disk.
 */
const state = process.env.ORDERSCOPE_STATE ?? resolve(root, '.local');
const cipherDir = resolve(state, 'jaeger/badger-encrypted');
const plainDir = resolve(state, 'jaeger/badger');

/** Files under `dir` containing `needle`, with line counts (grep -r -a -c -F). */
function grepTree(dir: string, needle: string): Map<string, number> {
  const r = spawnSync('grep', ['-r', '-a', '-c', '-F', '--', needle, dir], { encoding: 'utf8', maxBuffer: 64 << 20 });
  // 0: matches, 1: none, 2: error — tolerated only for files Badger deleted while grep ran.
  const vanished = (r.stderr ?? '').split('\n').every((l) => l === '' || l.endsWith('No such file or directory'));
  if (r.error || (r.status !== 0 && r.status !== 1 && !(r.status === 2 && vanished))) {
    throw new Error(`grep -r over ${dir} failed (exit ${r.status}): ${r.error?.message ?? r.stderr}`);
  }
  const hits = new Map<string, number>();
  for (const line of r.stdout.split('\n')) {
    const at = line.lastIndexOf(':');
    const n = Number(line.slice(at + 1));
    if (at > 0 && n > 0) hits.set(line.slice(0, at), n);
  }
  return hits;
}
const total = (h: Map<string, number>) => [...h.values()].reduce((a, b) => a + b, 0);
const list = (h: Map<string, number>) => [...h].map(([f, n]) => `${f} (${n})`).join(', ');

describe("Jaeger's trace storage, encrypted at rest", () => {
  before(() => restartCollector({ OTELCOL_BASELINE_PERCENT: '100', OTELCOL_DECISION_WAIT: E2E_DECISION_WAIT }));

  it('is a gocryptfs view of the encrypted directory', () => {
    const mount = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((l) => l.split(' '))
      .filter((f) => f[4] === plainDir.replaceAll(' ', '\\040'))
      .at(-1);
    const after = mount ? mount.slice(mount.indexOf('-') + 1) : [];
    assert.ok(
      mount && after[0] === 'fuse.gocryptfs' && after[1] === cipherDir.replaceAll(' ', '\\040'),
      `${plainDir} is not the gocryptfs view of ${cipherDir} (${mount ? `a ${after[0]} mount of ${after[1]}` : 'not mounted'}): ` +
        `Jaeger would write its traces unencrypted (bash scripts/jaeger-store.sh status ${plainDir})`,
    );
  });

  it('holds an order Jaeger finds by order_id, but never its id in plain text on disk', { timeout: 120_000 }, async (t) => {
    const orderId = await newB2cOrder();
    assert.equal((await submit(orderId)).status, 200);
    await eventually(`order ${orderId} in Jaeger`, 60_000, async () => ((await findOrderTraces('crm', orderId)).length ? true : undefined));
    // Badger's memtable is mmapped: push its dirty pages through gocryptfs to the disk.
    spawnSync('sync');
    // Positive control: the id is in Badger's files as Jaeger sees them (its write-ahead memtable,
    // uncompressed), so a grep over the ciphertext could find it if it were there in clear.
    const inPlain = await eventually(`order ${orderId} in Badger's files (plaintext view)`, 30_000, async () => {
      spawnSync('sync');
      const hits = grepTree(plainDir, orderId);
      return total(hits) > 0 ? hits : undefined;
    });
    const inCipher = grepTree(cipherDir, orderId);
    t.diagnostic(`order ${orderId}: ${total(inPlain)} occurrence(s) in the plaintext view, ${total(inCipher)} in the encrypted directory`);
    assert.equal(
      total(inCipher),
      0,
      `order ${orderId} is stored in PLAIN TEXT under ${cipherDir}: ${list(inCipher)} (plaintext view: ${list(inPlain)})`,
    );
  });
});
