import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  certificatesNeedRenewal,
  COMPONENT_NAMES,
  componentFiles,
  createCertificateAuthority,
  ensureCertificates,
} from '../src/index.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'orderscope-certs-test-'));
  dirs.push(dir);
  return dir;
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const cert = (path: string) => new X509Certificate(readFileSync(path));

describe('the demo CA and the components’ certificates', () => {
  it("makes, for every component, a server certificate with its compose and loopback names and a client certificate, both from the CA", async () => {
    const dir = tempDir();
    const result = await ensureCertificates(dir);
    assert.equal(result.created, true);
    const ca = cert(join(dir, 'ca.crt'));
    assert.equal(ca.ca, true);
    for (const component of COMPONENT_NAMES) {
      const files = componentFiles(dir, component);
      const server = cert(files.serverCert);
      const client = cert(files.clientCert);
      assert.ok(server.checkIssued(ca) && server.verify(ca.publicKey), `${component} server cert from the CA`);
      assert.ok(client.checkIssued(ca) && client.verify(ca.publicKey), `${component} client cert from the CA`);
      assert.equal(server.ca, false);
      assert.deepEqual(server.keyUsage, ['1.3.6.1.5.5.7.3.1'], 'serverAuth only');
      assert.deepEqual(client.keyUsage, ['1.3.6.1.5.5.7.3.2'], 'clientAuth only');
      assert.equal(server.checkHost(component), component);
      assert.equal(server.checkHost('localhost'), 'localhost');
      assert.equal(server.checkIP('127.0.0.1'), '127.0.0.1');
      assert.equal(server.checkHost('evil.example'), undefined);
      assert.match(client.subject, new RegExp(`CN=${component}`));
      assert.ok(server.checkPrivateKey(await import('node:crypto').then((c) => c.createPrivateKey(readFileSync(files.serverKey)))));
      assert.equal(statSync(files.serverKey).mode & 0o777, 0o600, 'keys readable by their owner only');
      assert.equal(statSync(files.clientKey).mode & 0o777, 0o600);
      assert.equal(readFileSync(files.ca, 'utf8'), readFileSync(join(dir, 'ca.crt'), 'utf8'));
    }
    assert.equal(statSync(join(dir, 'ca', 'ca.key')).mode & 0o777, 0o600);
  });

  it('keeps a complete, valid set, and remakes an incomplete one', async () => {
    const dir = tempDir();
    await ensureCertificates(dir);
    const before = readFileSync(join(dir, 'ca.crt'), 'utf8');
    assert.deepEqual(await ensureCertificates(dir), { created: false, reason: 'complete and valid' });
    assert.equal(readFileSync(join(dir, 'ca.crt'), 'utf8'), before, 'kept');

    unlinkSync(componentFiles(dir, 'shop').clientKey);
    assert.match(certificatesNeedRenewal(dir, COMPONENT_NAMES) ?? '', /shop\/client\.key missing/);
    const oldLeaf = readFileSync(componentFiles(dir, 'crm').serverCert, 'utf8');
    const remade = await ensureCertificates(dir);
    assert.equal(remade.created, true);
    // New leaves under the same CA: peers that read the CA only at start keep trusting them.
    assert.equal(readFileSync(join(dir, 'ca.crt'), 'utf8'), before, 'the CA is kept');
    assert.notEqual(readFileSync(componentFiles(dir, 'crm').serverCert, 'utf8'), oldLeaf, 'leaves are reissued');
    const ca = cert(join(dir, 'ca.crt'));
    for (const component of COMPONENT_NAMES) {
      assert.ok(cert(componentFiles(dir, component).clientCert).verify(ca.publicKey), `${component} signed by the kept CA`);
    }
  });

  it('remakes a set whose certificates were issued by another CA, or expire soon', async () => {
    const dir = tempDir();
    await ensureCertificates(dir);
    const other = await createCertificateAuthority('another CA');
    const stranger = await other.issue({ commonName: 'jaeger', usage: 'server', altNames: ['jaeger'] });
    writeFileSync(componentFiles(dir, 'jaeger').serverCert, stranger.cert);
    assert.match(certificatesNeedRenewal(dir, COMPONENT_NAMES) ?? '', /jaeger\/server\.crt was not issued by the current CA/);

    const soon = tempDir();
    await ensureCertificates(soon);
    const ca = await createCertificateAuthority('short-lived CA', 10);
    writeFileSync(join(soon, 'ca.crt'), ca.cert);
    assert.match(certificatesNeedRenewal(soon, COMPONENT_NAMES, 30) ?? '', /^CA expires/);
    assert.equal(certificatesNeedRenewal(soon, COMPONENT_NAMES, 5)?.startsWith('CA expires'), false, 'not within 5 days');
  });

  it("hands each component's directory to its container user, also when the set is kept (compose after the native stack)", async (t) => {
    if (process.getuid?.() !== 0) return t.skip('needs root to chown');
    const dir = tempDir();
    await ensureCertificates(dir); // made by root, as the native stack would
    assert.equal(statSync(componentFiles(dir, 'prometheus').clientKey).uid, 0);
    const kept = await ensureCertificates(dir, { chownToComponents: true });
    assert.equal(kept.created, false);
    for (const [component, uid] of [['prometheus', 65534], ['otel-collector', 10001], ['shop', 1000]] as const) {
      const files = componentFiles(dir, component);
      for (const path of [files.dir, files.serverKey, files.clientKey, files.clientCert]) assert.equal(statSync(path).uid, uid, `${path} owned by ${uid}`);
    }
    assert.equal(statSync(join(dir, 'ca', 'ca.key')).uid, 0, "the CA's key stays root's");
  });

  it('makes a new CA when its own is near its end, and never issues a leaf that outlives its CA', async () => {
    const dir = tempDir();
    await ensureCertificates(dir);
    // A CA with 20 days left: renewal (30 days ahead) replaces it.
    const short = await createCertificateAuthority('short-lived CA', 20);
    writeFileSync(join(dir, 'ca.crt'), short.cert);
    writeFileSync(join(dir, 'ca', 'ca.key'), short.key);
    await ensureCertificates(dir);
    const ca = cert(join(dir, 'ca.crt'));
    assert.notEqual(ca.fingerprint256, new X509Certificate(short.cert).fingerprint256, 'a new CA');
    // A 40-day CA issuing a 365-day leaf: the leaf ends with the CA.
    const small = await createCertificateAuthority('40-day CA', 40);
    const leaf = new X509Certificate((await small.issue({ commonName: 'x', usage: 'client', validDays: 365 })).cert);
    assert.ok(new Date(leaf.validTo).getTime() <= new Date(new X509Certificate(small.cert).validTo).getTime());
  });

  it('rotation replaces everything, CA included', async () => {
    const dir = tempDir();
    await ensureCertificates(dir);
    const oldCa = cert(join(dir, 'ca.crt'));
    const result = await ensureCertificates(dir, { rotate: true });
    assert.deepEqual(result, { created: true, reason: 'rotation requested' });
    const newCa = cert(join(dir, 'ca.crt'));
    assert.notEqual(newCa.fingerprint256, oldCa.fingerprint256);
    for (const component of COMPONENT_NAMES) {
      assert.ok(cert(componentFiles(dir, component).serverCert).checkIssued(newCa), `${component} from the new CA`);
      assert.equal(cert(componentFiles(dir, component).serverCert).checkIssued(oldCa), false);
    }
  });
});
