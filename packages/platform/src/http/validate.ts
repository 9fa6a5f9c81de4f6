import type { Request } from 'express';
import { z } from 'zod';
import { validationError } from '../errors.js';

/** Parses a request part against a schema; a 400 naming every bad field otherwise. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  // A request without a body has none (undefined): validate it as an empty object.
  const value = input === undefined && schema instanceof z.ZodObject ? {} : input;
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error.issues);
  return result.data;
}

/** The optional `Idempotency-Key` header of a creation request (400 when malformed). */
export function idempotencyKey(req: Request): string | undefined {
  return parseInput(z.string().min(8).max(128).optional(), req.get('idempotency-key'));
}
