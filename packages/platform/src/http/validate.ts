import type { Request } from 'express';
import { z } from 'zod';
import { validationError } from '../errors.js';

type Issue = { path: PropertyKey[]; message: string };

/**
 * What a valid JSON string may hold and PostgreSQL still refuses or changes: U+0000 (text and
 * jsonb refuse it: a 500) and a lone UTF-16 surrogate (`"\ud800"`: stored as U+FFFD, not what was
 * sent). Looked for in the parsed value only, which the schema bounds (unknown keys are gone), and
 * without recursion, so that no nesting can exhaust the stack.
 */
function unstorableText(value: unknown): Issue[] {
  const issues: Issue[] = [];
  const check = (s: string, path: PropertyKey[], what: string) => {
    if (s.includes('\u0000')) issues.push({ path, message: `${what} contains U+0000 (NUL), which cannot be stored` });
    else if (!s.isWellFormed()) issues.push({ path, message: `${what} contains a lone UTF-16 surrogate (not valid Unicode)` });
  };
  const stack: Array<{ v: unknown; path: PropertyKey[] }> = [{ v: value, path: [] }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (typeof v === 'string') check(v, path, 'the value');
    else if (Array.isArray(v)) v.forEach((item, i) => stack.push({ v: item, path: [...path, i] }));
    else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) {
        check(k, [...path, k], 'the key');
        stack.push({ v: item, path: [...path, k] });
      }
    }
  }
  return issues;
}

/** Parses a request part against a schema; a 400 naming every bad field otherwise. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  // A request without a body has none (undefined): validate it as an empty object.
  const value = input === undefined && schema instanceof z.ZodObject ? {} : input;
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error.issues);
  const unstorable = unstorableText(result.data);
  if (unstorable.length > 0) throw validationError(unstorable);
  return result.data;
}

/** The optional `Idempotency-Key` header of a creation request (400 when malformed). */
export function idempotencyKey(req: Request): string | undefined {
  const key = 'idempotency-key';
  return parseInput(z.object({ [key]: z.string().min(8).max(128).optional() }), { [key]: req.get(key) })[key];
}
