import { readFileSync } from 'node:fs';
import type { SecureContextOptions, TlsOptions } from 'node:tls';

/** TLS 1.2 at least on every connection (1.3 is negotiated where both ends have it). */
export const MIN_TLS_VERSION = 'TLSv1.2' as const;

/** PEM files of one end of a TLS connection: the CA it trusts, its certificate and key. */
export interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
}

function read(files: TlsFiles): Pick<SecureContextOptions, 'ca' | 'cert' | 'key'> {
  return { ca: readFileSync(files.ca), cert: readFileSync(files.cert), key: readFileSync(files.key) };
}

/** A server that only talks to clients holding a certificate from our CA (mTLS). */
export function mtlsServerOptions(files: TlsFiles): TlsOptions {
  return { ...read(files), requestCert: true, rejectUnauthorized: true, minVersion: MIN_TLS_VERSION };
}

/** A client that verifies the server against our CA and presents its own certificate. */
export function mtlsClientOptions(files: TlsFiles): SecureContextOptions & { rejectUnauthorized: true } {
  return { ...read(files), minVersion: MIN_TLS_VERSION, rejectUnauthorized: true };
}
