import { parseArgs } from 'node:util';
import type { ContinuousOptions } from './continuous.js';
import { UsageError } from './errors.js';
import type { OneShotOptions } from './oneshot.js';
import { checkScenario, parseNumber } from './options.js';
import { SCENARIO_NAMES } from './scenarios.js';

export const USAGE = `orderscope simulator — plays B2C customers, B2B clients, MES operators and the carrier

one-shot:   main.js --orders N [--scenario NAME] [--concurrency 5 | --rate R] [--time-scale 600]
                    [--deadline-s 120] [--b2b-share 0.5] [--seed N] [--quiet]
            drives N orders to the end; progress on stderr; the last stdout line is the JSON report;
            --concurrency: that many customers at once (closed loop); --rate: a new order every
            1/R s, however many are in flight (open loop: a load test's steady arrivals)
continuous: main.js run [--rate 0.5] [--scenario NAME] [--time-scale 600] [--b2b-share 0.5]
                    [--deadline-s 300] [--seed N]
            starts orders at RATE per second until SIGTERM/SIGINT; JSON-line logs on stdout

scenarios:  ${SCENARIO_NAMES.join(', ')}
environment: SHOP_URL MES_API_URL CRM_URL MES_URL (default http://127.0.0.1:8081..8084),
  INTERNAL_API_TOKEN[_FILE], ADMIN_TOKEN[_FILE] (default: the native stack's .local/secrets),
  SIM_TIME_SCALE, SIM_SCENARIO, SIM_RATE, SIM_B2B_SHARE, LOG_LEVEL
exit codes: 0 run completed (stuck orders included), 1 setup failed, 2 bad arguments or environment`;

type CliOneShot = Omit<OneShotOptions, 'progress' | 'progressIntervalMs' | 'log' | 'signal' | 'pollMs' | 'readyTimeoutMs'>;
type CliContinuous = Omit<ContinuousOptions, 'signal' | 'logger' | 'pollMs' | 'readyTimeoutMs' | 'progressIntervalMs' | 'maxInFlight'>;

export type Cli =
  | { readonly command: 'help' }
  | { readonly command: 'oneshot'; readonly options: CliOneShot; readonly quiet: boolean }
  | { readonly command: 'run'; readonly options: CliContinuous };

const OPTIONS = {
  orders: { type: 'string' },
  scenario: { type: 'string' },
  concurrency: { type: 'string' },
  'time-scale': { type: 'string' },
  'deadline-s': { type: 'string' },
  'b2b-share': { type: 'string' },
  rate: { type: 'string' },
  seed: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} as const;

const ONE_SHOT_ONLY = ['orders', 'concurrency', 'quiet'] as const;

/** Parses the command line; UsageError says what is wrong. Values left out fall back to the environment, then defaults. */
export function parseCli(argv: readonly string[]): Cli {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values: v, positionals } = parsed;
  if (v.help) return { command: 'help' };
  if (positionals.length > 1 || (positionals.length === 1 && positionals[0] !== 'run')) {
    throw new UsageError(`unexpected argument "${positionals.join(' ')}": the only command is "run" (continuous mode)`);
  }
  const common = {
    ...(v.scenario !== undefined ? { scenario: checkScenario(v.scenario) } : {}),
    ...(v['time-scale'] !== undefined ? { timeScale: parseNumber('timeScale', v['time-scale']) } : {}),
    ...(v['deadline-s'] !== undefined ? { deadlineS: parseNumber('deadlineS', v['deadline-s']) } : {}),
    ...(v['b2b-share'] !== undefined ? { b2bShare: parseNumber('b2bShare', v['b2b-share']) } : {}),
    ...(v.seed !== undefined ? { seed: parseNumber('seed', v.seed) } : {}),
  };

  if (positionals[0] === 'run') {
    const misplaced = ONE_SHOT_ONLY.filter((k) => v[k] !== undefined);
    if (misplaced.length > 0) throw new UsageError(`--${misplaced.join(', --')} belongs to the one-shot mode, not "run"`);
    return { command: 'run', options: { ...common, ...(v.rate !== undefined ? { rate: parseNumber('rate', v.rate) } : {}) } };
  }

  if (v.orders === undefined) throw new UsageError('missing --orders N (one-shot mode), or "run" for the continuous mode');
  if (v.concurrency !== undefined && v.rate !== undefined) {
    throw new UsageError('--concurrency and --rate exclude each other: customers at once (closed loop) or arrivals per second (open loop)');
  }
  return {
    command: 'oneshot',
    quiet: v.quiet === true,
    options: {
      ...common,
      orders: parseNumber('orders', v.orders),
      ...(v.concurrency !== undefined ? { concurrency: parseNumber('concurrency', v.concurrency) } : {}),
      ...(v.rate !== undefined ? { rate: parseNumber('rate', v.rate) } : {}),
    },
  };
}
