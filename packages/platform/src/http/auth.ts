import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler } from 'express';
import { UnauthorizedError } from '../errors.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Constant-time comparison of secrets of any length. */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** A new random secret: 256 bits, base64url (43 characters), for a credential handed out once. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * What a service stores of a credential it hands out: its SHA-256. A plain hash is enough for a
 * 256-bit random secret (nothing to brute-force, unlike a password); a stolen table opens nothing.
 */
export function secretHash(secret: string): Buffer {
  return digest(secret);
}

/** Does `shown` hash to one of `hashes`? Each compared in constant time. */
export function matchesSecretHash(shown: string, hashes: readonly Buffer[]): boolean {
  return hashIsOneOf(digest(shown), hashes);
}

/** Is `h` one of `hashes`? Each compared in constant time. */
export function hashIsOneOf(h: Buffer, hashes: readonly Buffer[]): boolean {
  let match = false;
  // No early exit: every candidate is compared.
  for (const candidate of hashes) if (candidate.length === h.length && timingSafeEqual(candidate, h)) match = true;
  return match;
}

/** The token of an `Authorization: Bearer <token>` header, if there is one. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  return /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')?.[1];
}

/** Does the request show `token` as its bearer token (compared in constant time)? */
export function hasBearer(headers: IncomingHttpHeaders, token: string): boolean {
  const shown = bearerToken(headers);
  return shown !== undefined && secretsEqual(shown, token);
}

/** Requires `Authorization: Bearer <token>`; 401 with a JSON error otherwise. */
export function requireBearer(token: string): RequestHandler {
  return (req, _res, next) => {
    if (!hasBearer(req.headers, token)) {
      next(new UnauthorizedError());
      return;
    }
    next();
  };
}
