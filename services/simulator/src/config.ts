import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { envTypes, parseEnv, type Env } from '@orderscope/platform';
import { DEMO_TIME_SCALE, SERVICES, type ServiceName } from '@orderscope/orders';
import { z } from 'zod';
import { SCENARIO_NAMES, type ScenarioName } from './scenarios.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const url = (s: ServiceName) => envTypes.url(`http://127.0.0.1:${SERVICES[s].port}`);

const simulatorEnvSchema = z.object({
  SHOP_URL: url('shop'),
  MES_API_URL: url('mes-api'),
  CRM_URL: url('crm'),
  MES_URL: url('mes'),
  INTERNAL_API_TOKEN: envTypes.secret(),
  /**
   * Makes the operators' key at the MES (a run without it cannot start: the operators' calls need
   * one) and applies fault scenarios. Optional here so that the loading error is the run's own.
   */
  ADMIN_TOKEN: envTypes.secret().optional(),
  SIM_TIME_SCALE: z.coerce.number().positive().max(1_000_000).default(DEMO_TIME_SCALE),
  SIM_SCENARIO: z.enum(SCENARIO_NAMES).default('healthy'),
  /** Orders started per second in continuous mode. */
  SIM_RATE: z.coerce.number().positive().max(100).default(0.5),
  SIM_B2B_SHARE: z.coerce.number().min(0).max(1).default(0.5),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
});

export interface SimulatorConfig {
  readonly urls: Readonly<Record<ServiceName, string>>;
  readonly internalApiToken: string;
  readonly adminToken: string | undefined;
  readonly timeScale: number;
  readonly scenario: ScenarioName;
  readonly rate: number;
  readonly b2bShare: number;
  readonly logLevel: (typeof LOG_LEVELS)[number];
}

/**
 * Secrets come as NAME or NAME_FILE (compose, `npm run simulate`). When neither is set and the
 * native stack's secrets exist ($ORDERSCOPE_SECRETS_DIR, default .local/secrets), they are used,
 * so that a bare `node services/simulator/dist/src/main.js` works against `npm run local:up`.
 */
function withNativeSecrets(env: Env): Env {
  const out: Record<string, string | undefined> = { ...env };
  const dir = resolve(env.ORDERSCOPE_SECRETS_DIR ?? '.local/secrets');
  for (const [name, file] of [
    ['INTERNAL_API_TOKEN', 'internal_api_token'],
    ['ADMIN_TOKEN', 'admin_token'],
  ] as const) {
    if (out[name]) continue;
    if (out[name] === '') delete out[name];
    if (out[`${name}_FILE`]) continue;
    const path = resolve(dir, file);
    if (existsSync(path)) out[`${name}_FILE`] = path;
  }
  return out;
}

/** Reads and validates the simulator's environment (throws ConfigError naming every problem). */
export function loadSimulatorConfig(env: Env = process.env): SimulatorConfig {
  const e = parseEnv(simulatorEnvSchema, withNativeSecrets(env));
  return {
    urls: { shop: e.SHOP_URL, 'mes-api': e.MES_API_URL, crm: e.CRM_URL, mes: e.MES_URL },
    internalApiToken: e.INTERNAL_API_TOKEN,
    adminToken: e.ADMIN_TOKEN,
    timeScale: e.SIM_TIME_SCALE,
    scenario: e.SIM_SCENARIO,
    rate: e.SIM_RATE,
    b2bShare: e.SIM_B2B_SHARE,
    logLevel: e.LOG_LEVEL,
  };
}
