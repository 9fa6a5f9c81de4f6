import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { Gauge, type Registry } from 'prom-client';

export interface ProbeTarget {
  /** What the metric calls it (a component: jaeger, keycloak, ...). */
  readonly peer: string;
  readonly host: string;
  readonly port: number;
}

/** `peer=host:port,…` (TLS_PROBE_TARGETS) as targets; names each malformed entry. */
export function parseProbeTargets(spec: string): ProbeTarget[] {
  if (!spec.trim()) return [];
  return spec.split(',').map((entry) => {
    const m = /^([a-z][a-z0-9-]*)=([^:=\s]+):(\d{1,5})$/.exec(entry.trim());
    if (!m || Number(m[3]) > 65535) throw new Error(`TLS_PROBE_TARGETS: "${entry.trim()}" is not peer=host:port`);
    return { peer: m[1]!, host: m[2]!, port: Number(m[3]) };
  });
}

interface Probe {
  readonly ok: boolean;
  readonly notAfter?: number;
  readonly subject?: string;
}

/** One TLS handshake, the server verified against the CA, with this process's client certificate. */
function probe(target: ProbeTarget, tls: { ca: Buffer; cert: Buffer; key: Buffer }, timeoutMs: number): Promise<Probe> {
  return new Promise((resolve) => {
    const socket = connect({ host: target.host, port: target.port, servername: target.host.match(/^[\d.]+$/) ? undefined : target.host, ...tls, rejectUnauthorized: true, timeout: timeoutMs });
    const done = (p: Probe) => {
      socket.destroy();
      resolve(p);
    };
    socket.once('secureConnect', () => {
      const raw = socket.getPeerX509Certificate();
      if (!raw) return done({ ok: false });
      const cert = new X509Certificate(raw.raw);
      done({ ok: true, notAfter: Math.floor(Date.parse(cert.validTo) / 1000), subject: /CN=([^\n,]+)/.exec(cert.subject)?.[1] ?? cert.subject });
    });
    socket.once('timeout', () => done({ ok: false }));
    socket.once('error', () => done({ ok: false }));
  });
}

/**
 * The certificates of the stack's other TLS servers (the collector, Jaeger, Prometheus, Keycloak…),
 * as a client meets them: a handshake with each at most once a minute (scrapes in between reuse
 * it), verified against the stack's CA. `orderscope_tls_peer_certificate_not_after_seconds`
 * {peer, subject} feeds CertificateExpiresSoon beside the process's own certificates;
 * `orderscope_tls_peer_probe_success` {peer} is 0 when the handshake fails (expired, another CA,
 * down) — TLSPeerProbeFailing.
 */
export function peerCertificateProbes(
  registry: Registry,
  targets: readonly ProbeTarget[],
  files: { ca: string; cert: string; key: string },
  opts: { everyMs?: number; timeoutMs?: number } = {},
): void {
  if (targets.length === 0) return;
  const everyMs = opts.everyMs ?? 60_000;
  let last: { at: number; results: Promise<Array<[ProbeTarget, Probe]>> } | undefined;
  const results = () => {
    if (!last || Date.now() - last.at >= everyMs) {
      const tls = { ca: readFileSync(files.ca), cert: readFileSync(files.cert), key: readFileSync(files.key) };
      last = { at: Date.now(), results: Promise.all(targets.map(async (t) => [t, await probe(t, tls, opts.timeoutMs ?? 3000)] as [ProbeTarget, Probe])) };
    }
    return last.results;
  };
  new Gauge({
    name: 'orderscope_tls_peer_certificate_not_after_seconds',
    help: "When the certificate of a TLS server of the stack expires (Unix time), as a handshake with it shows.",
    labelNames: ['peer', 'subject'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [t, p] of await results()) if (p.ok) this.set({ peer: t.peer, subject: p.subject! }, p.notAfter!);
    },
  });
  new Gauge({
    name: 'orderscope_tls_peer_probe_success',
    help: "1 when the last TLS handshake with the peer succeeded (its certificate verified against the stack's CA), 0 otherwise.",
    labelNames: ['peer'],
    registers: [registry],
    async collect() {
      for (const [t, p] of await results()) this.set({ peer: t.peer }, p.ok ? 1 : 0);
    },
  });
}
