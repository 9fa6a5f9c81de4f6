import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Gauge, type Registry } from 'prom-client';

/**
 * When the certificates a process uses stop being valid, read from their files at every scrape
 * (so a renewed certificate shows at once): `orderscope_tls_certificate_not_after_seconds`
 * (Unix time) per certificate role (ca, server, client) and subject. The CertificateExpiresSoon
 * alert (prometheus/rules/certificates.yml) compares it with time(). A file that cannot be read
 * reports nothing: the scrape goes on.
 */
export function certificateMetrics(registry: Registry, files: Readonly<Record<string, string | undefined>>): void {
  new Gauge({
    name: 'orderscope_tls_certificate_not_after_seconds',
    help: 'When a certificate this process uses expires (Unix time), per role and subject.',
    labelNames: ['certificate', 'subject'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [certificate, path] of Object.entries(files)) {
        if (!path) continue;
        try {
          const cert = new X509Certificate(readFileSync(path));
          const subject = /CN=([^\n,]+)/.exec(cert.subject)?.[1] ?? cert.subject;
          this.set({ certificate, subject }, Math.floor(Date.parse(cert.validTo) / 1000));
        } catch {
          // unreadable now (being replaced): nothing this scrape
        }
      }
    },
  });
}
