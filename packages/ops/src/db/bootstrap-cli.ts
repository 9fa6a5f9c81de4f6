#!/usr/bin/env node
import { assertNodeVersion } from '@orderscope/platform/node-version';
import { z } from 'zod';
import { envTypes, parseEnv } from '@orderscope/platform';
import { SERVICES, SERVICE_NAMES, type ServiceName } from '@orderscope/orders';
import { bootstrapDatabase } from './bootstrap.js';

assertNodeVersion('orderscope-db-bootstrap');

/** `orderscope-db-bootstrap`: run once before the services (compose's db-init, local:up). */
const roleEnv = (s: ServiceName) => `DB_PASSWORD_${SERVICES[s].dbSchema.toUpperCase()}`;

const schema = z.object({
  DB_HOST: z.string().min(1).default('127.0.0.1'),
  DB_PORT: envTypes.port(5432),
  DB_NAME: z.string().min(1).default('orderscope'),
  DB_ADMIN_USER: z.string().min(1).default('postgres'),
  DB_ADMIN_PASSWORD: z.string().min(1),
  DB_ADMIN_DATABASE: z.string().min(1).default('postgres'),
  ...Object.fromEntries(SERVICE_NAMES.map((s) => [roleEnv(s), z.string().min(16)])),
  /** The dashboards' read-only role (grafana_reader); unset: not created. */
  DB_PASSWORD_GRAFANA: z.string().min(16).optional(),
  /** Keycloak's own database and role (keycloak); unset: not created. */
  DB_PASSWORD_KEYCLOAK: z.string().min(16).optional(),
});

try {
  const env = parseEnv(schema, process.env) as Record<string, string | number>;
  await bootstrapDatabase({
    admin: {
      host: String(env.DB_HOST),
      port: Number(env.DB_PORT),
      user: String(env.DB_ADMIN_USER),
      password: String(env.DB_ADMIN_PASSWORD),
      database: String(env.DB_ADMIN_DATABASE),
    },
    database: String(env.DB_NAME),
    roles: Object.fromEntries(
      SERVICE_NAMES.map((s) => [s, { user: SERVICES[s].dbSchema, password: String(env[roleEnv(s)]) }]),
    ) as Record<ServiceName, { user: string; password: string }>,
    ...(env.DB_PASSWORD_GRAFANA ? { reader: { password: String(env.DB_PASSWORD_GRAFANA) } } : {}),
    ...(env.DB_PASSWORD_KEYCLOAK ? { owned: [{ database: 'keycloak', user: 'keycloak', password: String(env.DB_PASSWORD_KEYCLOAK) }] } : {}),
  });
  console.log(JSON.stringify({ msg: 'database bootstrapped', database: env.DB_NAME }));
} catch (err) {
  console.error(`db bootstrap failed: ${(err as Error).message}`);
  process.exitCode = 1;
}
