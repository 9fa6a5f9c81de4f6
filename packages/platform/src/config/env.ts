import { readFileSync } from 'node:fs';
import { z } from 'zod';

export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Resolves `NAME_FILE=/path` into `NAME=<file content>` (the Docker secrets convention), so that
 * secrets live in files generated at setup, never in the environment of compose files.
 */
export function resolveFileVariables(env: Env, names: readonly string[]): Env {
  const out: Record<string, string | undefined> = { ...env };
  for (const name of names) {
    const key = `${name}_FILE`;
    const path = env[key];
    if (!path) continue;
    if (env[name] !== undefined && env[name] !== '') {
      throw new ConfigError([`both ${name} and ${key} are set; set only one`]);
    }
    try {
      out[name] = readFileSync(path, 'utf8').trim();
    } catch (err) {
      throw new ConfigError([`${key}: cannot read ${path}: ${(err as Error).message}`]);
    }
  }
  return out;
}

/** Validates the environment once, against a schema, and names every problem at once. */
export function parseEnv<S extends z.ZodObject>(schema: S, env: Env): z.output<S> {
  const result = schema.safeParse(resolveFileVariables(env, Object.keys(schema.shape)));
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`));
  }
  return result.data;
}

/** Reusable field types for environment schemas. */
export const envTypes = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  int: (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback),
  rate: (fallback = 0) => z.coerce.number().min(0).max(1).default(fallback),
  url: (fallback: string) => z.url().default(fallback),
  secret: () => z.string().min(16, 'must be at least 16 characters (generate it with orderscope-secrets, packages/ops)'),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1'),
} as const;
