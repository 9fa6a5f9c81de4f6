import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createServer, type Server } from 'node:tls';
import { createServiceMetrics, parseProbeTargets, peerCertificateProbes } from '@orderscope/platform';
import { componentFiles, ensureCertificates } from '@orderscope/ops';

/**
 * The certificates of the stack's other servers, as a client meets them: a real TLS server with a
 * certificate of the stack's CA (wanting the client's), one of another CA, and a closed port.
 */
describe('the peer certificate probes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orderscope-probe-'));
  const servers: Server[] = [];
  let good = 0;
  let rogue = 0;

  const listen = (files: ReturnType<typeof componentFiles>) =>
    new Promise<number>((resolve) => {
      const s = createServer({ ca: readFileSync(files.ca), cert: readFileSync(files.serverCert), key: readFileSync(files.serverKey), requestCert: true, rejectUnauthorized: true }, (c) => c.end());
      servers.push(s);
      s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port));
    });

  before(async () => {
    await ensureCertificates(join(dir, 'stack'));
    await ensureCertificates(join(dir, 'other'));
    good = await listen(componentFiles(join(dir, 'stack'), 'jaeger'));
    rogue = await listen(componentFiles(join(dir, 'other'), 'jaeger'));
  });
  after(() => {
    servers.forEach((s) => s.close());
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a trusted peer\'s notAfter, and 0 for a peer of another CA or one that is down', async () => {
    const { registry } = createServiceMetrics();
    const crm = componentFiles(join(dir, 'stack'), 'crm');
    peerCertificateProbes(
      registry,
      parseProbeTargets(`jaeger=127.0.0.1:${good},impostor=127.0.0.1:${rogue},gone=127.0.0.1:1`),
      { ca: crm.ca, cert: crm.clientCert, key: crm.clientKey },
    );
    const metrics = await registry.getMetricsAsJSON();
    const values = (name: string) => metrics.find((m) => m.name === name)!.values;
    const notAfter = values('orderscope_tls_peer_certificate_not_after_seconds');
    const expected = Math.floor(Date.parse(new X509Certificate(readFileSync(componentFiles(join(dir, 'stack'), 'jaeger').serverCert)).validTo) / 1000);
    assert.deepEqual(notAfter.map((v) => [v.labels.peer, v.labels.subject, v.value]), [['jaeger', 'jaeger', expected]]);
    const success = Object.fromEntries(values('orderscope_tls_peer_probe_success').map((v) => [v.labels.peer, v.value]));
    assert.deepEqual(success, { jaeger: 1, impostor: 0, gone: 0 });
  });

  const specs = [
    { spec: '', targets: [] },
    { spec: 'jaeger=jaeger:16686, keycloak=keycloak:8443', targets: [{ peer: 'jaeger', host: 'jaeger', port: 16686 }, { peer: 'keycloak', host: 'keycloak', port: 8443 }] },
  ];
  for (const c of specs) {
    it(`reads TLS_PROBE_TARGETS "${c.spec}"`, () => assert.deepEqual(parseProbeTargets(c.spec), c.targets));
  }
  for (const bad of ['jaeger', 'jaeger=host', 'Jaeger=h:1', 'jaeger=h:99999']) {
    it(`refuses TLS_PROBE_TARGETS "${bad}", naming it`, () => assert.throws(() => parseProbeTargets(bad), new RegExp(`"${bad}" is not peer=host:port`)));
  }
});
