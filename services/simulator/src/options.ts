import { UsageError } from './errors.js';
import { isScenarioName, SCENARIO_NAMES, type ScenarioName } from './scenarios.js';

interface Bounds {
  readonly min: number;
  readonly max: number;
  readonly int?: boolean;
  /** min itself is not allowed. */
  readonly above?: boolean;
}

/** The bounds of every numeric option (CLI and in-process alike). */
export const BOUNDS = {
  orders: { min: 1, max: 10_000, int: true },
  concurrency: { min: 1, max: 500, int: true },
  timeScale: { min: 0, max: 1_000_000, above: true },
  deadlineS: { min: 0, max: 7 * 24 * 3600, above: true },
  b2bShare: { min: 0, max: 1 },
  rate: { min: 0, max: 100, above: true },
  seed: { min: 0, max: 2 ** 32 - 1, int: true },
} as const satisfies Record<string, Bounds>;

export type BoundedOption = keyof typeof BOUNDS;

const FLAGS: Record<BoundedOption, string> = {
  orders: '--orders',
  concurrency: '--concurrency',
  timeScale: '--time-scale',
  deadlineS: '--deadline-s',
  b2bShare: '--b2b-share',
  rate: '--rate',
  seed: '--seed',
};

function describe(b: Bounds): string {
  const kind = b.int ? 'an integer' : 'a number';
  return `${kind} ${b.above ? '>' : '≥'} ${b.min} and ≤ ${b.max}`;
}

/** Checks a number against its option's bounds; UsageError names the flag and what it takes. */
export function checkNumber(option: BoundedOption, value: number): number {
  const b: Bounds = BOUNDS[option];
  const ok =
    Number.isFinite(value) && (b.int ? Number.isInteger(value) : true) && (b.above ? value > b.min : value >= b.min) && value <= b.max;
  if (!ok) throw new UsageError(`${FLAGS[option]} must be ${describe(b)}, got ${value}`);
  return value;
}

/** Parses a flag's text as a number within its bounds. */
export function parseNumber(option: BoundedOption, text: string): number {
  const trimmed = text.trim();
  const value = trimmed === '' ? Number.NaN : Number(trimmed);
  if (Number.isNaN(value)) throw new UsageError(`${FLAGS[option]} must be ${describe(BOUNDS[option])}, got "${text}"`);
  return checkNumber(option, value);
}

export function checkScenario(name: string): ScenarioName {
  if (!isScenarioName(name)) throw new UsageError(`unknown scenario "${name}"; known: ${SCENARIO_NAMES.join(', ')}`);
  return name;
}
