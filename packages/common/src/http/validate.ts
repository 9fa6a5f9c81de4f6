import type { z } from 'zod';
import { validationError } from '../errors.js';

/** Parses a request part against a schema; a 400 naming every bad field otherwise. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (!result.success) throw validationError(result.error.issues);
  return result.data;
}
