import { createPrivateKey, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
// @peculiar/x509 resolves its algorithm providers with tsyringe, which needs this polyfill first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { COMPONENTS as TOPOLOGY_COMPONENTS, SERVICE_NAMES, SERVICES } from '@orderscope/orders';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** ECDSA P-256 with SHA-256: accepted by Go's crypto/tls (collector, Jaeger, Prometheus) and Node. */
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

/**
 * Every component of the stack that serves or calls over TLS. Each gets a server certificate
 * (its compose host name, localhost and the loopback addresses as SANs) and a client certificate
 * (CN = its name), in its own directory, so that a container mounts only its own keys.
 * `uid`: the user the component's container runs as (compose hands it the key files).
 */
export const COMPONENTS: Readonly<Record<string, { readonly uid: number }>> = Object.fromEntries([
  ...Object.entries(TOPOLOGY_COMPONENTS)
    .filter(([, c]) => c.tls)
    .map(([name, c]) => [name, { uid: c.uid }]),
  ...SERVICE_NAMES.map((s) => [s, { uid: SERVICES[s].uid }]),
]);
export type Component = string;
export const COMPONENT_NAMES: readonly Component[] = Object.keys(COMPONENTS);

export interface IssuedPair {
  cert: string;
  key: string;
}
export interface CertificateAuthority extends IssuedPair {
  /** Issues a leaf certificate signed by this CA. */
  issue(options: LeafOptions): Promise<IssuedPair>;
}
export interface LeafOptions {
  commonName: string;
  usage: 'server' | 'client';
  /** DNS names and IP addresses (server certificates). */
  altNames?: string[];
  validDays?: number;
  /** Test hook: a certificate that is already expired or not yet valid. */
  notBefore?: Date;
}

async function toPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n?$/, '\n')}-----END PRIVATE KEY-----\n`;
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f; // positive
  return bytes.toString('hex');
}

function isIp(name: string): boolean {
  return /^[\d.]+$/.test(name) || name.includes(':');
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** Makes a new certificate authority (self-signed, may sign leaves only: path length 0). */
export async function createCertificateAuthority(commonName: string, validDays = 730): Promise<CertificateAuthority> {
  const keys = await generateKeys();
  const notBefore = new Date(Date.now() - 60_000);
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${commonName}, O=orderscope`,
    notBefore,
    notAfter: new Date(notBefore.getTime() + validDays * DAY_MS),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return authority(caCert, keys.privateKey);
}

/** The CA in `dir` (ca.crt, ca/ca.key), to issue more leaves under the same trust anchor. */
export async function loadCertificateAuthority(certPem: string, keyPem: string): Promise<CertificateAuthority> {
  const caCert = new x509.X509Certificate(certPem);
  const der = Buffer.from(keyPem.replace(/-----(BEGIN|END) PRIVATE KEY-----|\s/g, ''), 'base64');
  const key = (await webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, true, ['sign'])) as CryptoKey;
  return authority(caCert, key);
}

async function authority(caCert: x509.X509Certificate, caKey: CryptoKey): Promise<CertificateAuthority> {
  const keys = { privateKey: caKey };
  return {
    cert: caCert.toString('pem') + '\n',
    key: await toPem(caKey),
    async issue(options) {
      const leafKeys = await generateKeys();
      const start = options.notBefore ?? new Date(Date.now() - 60_000);
      const altNames = options.altNames ?? [];
      const leaf = await x509.X509CertificateGenerator.create({
        serialNumber: serial(),
        subject: `CN=${options.commonName}, O=orderscope`,
        issuer: caCert.subject,
        notBefore: start,
        // Never past the CA's own end.
        notAfter: new Date(Math.min(start.getTime() + (options.validDays ?? 365) * DAY_MS, caCert.notAfter.getTime())),
        signingKey: keys.privateKey,
        publicKey: leafKeys.publicKey,
        signingAlgorithm: ALGORITHM,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension(
            [options.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth],
            false,
          ),
          ...(altNames.length
            ? [
                new x509.SubjectAlternativeNameExtension(
                  altNames.map((value) => ({ type: isIp(value) ? ('ip' as const) : ('dns' as const), value })),
                ),
              ]
            : []),
          await x509.AuthorityKeyIdentifierExtension.create(caCert),
          await x509.SubjectKeyIdentifierExtension.create(leafKeys.publicKey),
        ],
      });
      return { cert: leaf.toString('pem') + '\n', key: await toPem(leafKeys.privateKey) };
    },
  };
}

/** The SANs of a component's server certificate: its compose name, then the loopback names. */
export function serverAltNames(component: string): string[] {
  return [component, 'localhost', '127.0.0.1', '::1'];
}

/** Where a component's files are, relative to the certificates directory. */
export function componentFiles(dir: string, component: string) {
  const base = join(dir, component);
  return {
    dir: base,
    ca: join(base, 'ca.crt'),
    serverCert: join(base, 'server.crt'),
    serverKey: join(base, 'server.key'),
    clientCert: join(base, 'client.crt'),
    clientKey: join(base, 'client.key'),
  };
}

export interface EnsureOptions {
  /** Replace everything, CA included, even if valid. */
  rotate?: boolean;
  /** Renew when any certificate expires within this many days. */
  renewWithinDays?: number;
  /** chown each component's directory to its container user (compose, running as root). */
  chownToComponents?: boolean;
  components?: readonly Component[];
}

/** Why the set in `dir` must be (re)made, or null when it is complete and valid long enough. */
export function certificatesNeedRenewal(dir: string, components: readonly string[], renewWithinDays = 30): string | null {
  const caPath = join(dir, 'ca.crt');
  if (!existsSync(caPath)) return 'no CA yet';
  const horizon = Date.now() + renewWithinDays * DAY_MS;
  const ca = new X509Certificate(readFileSync(caPath));
  if (new Date(ca.validTo).getTime() < horizon) return `CA expires ${ca.validTo}`;
  for (const component of components) {
    const files = componentFiles(dir, component);
    for (const path of [files.ca, files.serverCert, files.serverKey, files.clientCert, files.clientKey]) {
      if (!existsSync(path)) return `${path} missing`;
    }
    for (const path of [files.serverCert, files.clientCert]) {
      const cert = new X509Certificate(readFileSync(path));
      if (new Date(cert.validTo).getTime() < horizon) return `${path} expires ${cert.validTo}`;
      if (!cert.checkIssued(ca)) return `${path} was not issued by the current CA`;
    }
  }
  return null;
}

/** The CA in `dir`, if its certificate and key are there, belong together and it is not near its end. */
async function reusableAuthority(dir: string, renewWithinDays: number): Promise<CertificateAuthority | null> {
  const certPath = join(dir, 'ca.crt');
  const keyPath = join(dir, 'ca', 'ca.key');
  if (!existsSync(certPath) || !existsSync(keyPath)) return null;
  const cert = new X509Certificate(readFileSync(certPath));
  if (new Date(cert.validTo).getTime() < Date.now() + renewWithinDays * DAY_MS) return null;
  if (!cert.checkPrivateKey(createPrivateKey(readFileSync(keyPath)))) return null;
  return loadCertificateAuthority(readFileSync(certPath, 'utf8'), readFileSync(keyPath, 'utf8'));
}

function write(path: string, content: string, mode: number, uid?: number): void {
  // Write beside, then rename: a component reloading its files never reads half of one.
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode });
  chmodSync(tmp, mode);
  if (uid !== undefined) chownSync(tmp, uid, uid);
  renameSync(tmp, path);
}

/**
 * Makes the demo CA and every component's server and client certificate in `dir`, unless a
 * complete, valid set is there already. An incomplete or expiring set gets new leaves from the same
 * CA; rotation (`rotate`) replaces all of it, CA included: components pick the new files up on restart.
 */
export async function ensureCertificates(dir: string, options: EnsureOptions = {}): Promise<{ created: boolean; reason: string }> {
  const components = options.components ?? COMPONENT_NAMES;
  const reason = options.rotate ? 'rotation requested' : certificatesNeedRenewal(dir, components, options.renewWithinDays);
  if (reason === null) {
    // Kept, but perhaps made by someone else (the native stack, before compose): each container
    // must still own its directory.
    if (options.chownToComponents) {
      for (const component of components) {
        const files = componentFiles(dir, component);
        const uid = COMPONENTS[component as Component]?.uid;
        if (uid === undefined) continue;
        for (const path of [files.dir, files.ca, files.serverCert, files.serverKey, files.clientCert, files.clientKey]) chownSync(path, uid, uid);
      }
    }
    return { created: false, reason: 'complete and valid' };
  }

  mkdirSync(dir, { recursive: true, mode: 0o755 });
  mkdirSync(join(dir, 'ca'), { recursive: true, mode: 0o700 });
  chmodSync(join(dir, 'ca'), 0o700);
  // Leaves are renewed under the CA they were issued by, so that peers that read their trust
  // anchor only at start keep trusting each other; a new CA only when asked (rotate), or when the
  // CA itself is missing or near its end.
  const existing = options.rotate ? null : await reusableAuthority(dir, options.renewWithinDays ?? 30);
  const ca = existing ?? (await createCertificateAuthority('orderscope demo CA'));
  // The CA's key stays with whoever runs this (root in compose), never in a component's directory.
  if (!existing) {
    write(join(dir, 'ca', 'ca.key'), ca.key, 0o600);
    write(join(dir, 'ca.crt'), ca.cert, 0o644);
  }
  for (const component of components) {
    const files = componentFiles(dir, component);
    const uid = options.chownToComponents ? COMPONENTS[component as Component]?.uid : undefined;
    if (existsSync(files.dir) && options.rotate) rmSync(files.dir, { recursive: true, force: true });
    mkdirSync(files.dir, { recursive: true, mode: 0o700 });
    chmodSync(files.dir, 0o700);
    if (uid !== undefined) chownSync(files.dir, uid, uid);
    const server = await ca.issue({ commonName: component, usage: 'server', altNames: serverAltNames(component) });
    const client = await ca.issue({ commonName: component, usage: 'client' });
    write(files.ca, ca.cert, 0o644, uid);
    write(files.serverCert, server.cert, 0o644, uid);
    write(files.serverKey, server.key, 0o600, uid);
    write(files.clientCert, client.cert, 0o644, uid);
    write(files.clientKey, client.key, 0o600, uid);
  }
  return { created: true, reason };
}
