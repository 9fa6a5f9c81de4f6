import { createHash, timingSafeEqual } from 'node:crypto';
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
