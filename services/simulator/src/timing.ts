import { uniform, type Rng } from './random.js';

/**
 * How long the people the simulator plays take, in "real" minutes (ranges, drawn uniformly).
 * Divided by the time scale: at the default 600, one real minute lasts 100 ms, and an order's whole
 * life (about 3.5 real hours on average) about 20 s.
 */
export const REAL_MINUTES = {
  /** A B2C customer between two clicks (create → upload, upload → "Place order"). */
  customerThink: [1, 4],
  /** A B2B client's integration between upload and submit. */
  b2bThink: [0.5, 2],
  /** A queued work order waits for a free operator. */
  operatorPickup: [2, 10],
  /** Printing (MANUFACTURING_STARTED → MANUFACTURING_COMPLETED). */
  manufacturing: [20, 90],
  /** Post-processing before packing starts (→ PACKAGING). */
  toPackaging: [5, 15],
  /** Packing until handed to the carrier (→ SHIPPED). */
  packing: [10, 30],
  /** The carrier's delivery, until its delivery message reaches the CRM (→ CLOSED). */
  delivery: [45, 180],
} as const satisfies Record<string, readonly [number, number]>;

export type Activity = keyof typeof REAL_MINUTES;

/** Milliseconds of wall time for `minutes` of real time at this time scale. */
export function scaledMs(minutes: number, timeScale: number): number {
  return Math.round((minutes * 60_000) / timeScale);
}

/** A drawn duration of `activity`, in wall-time milliseconds. */
export function activityMs(activity: Activity, timeScale: number, rng: Rng): number {
  return scaledMs(uniform(rng, REAL_MINUTES[activity]), timeScale);
}

/**
 * Pause before the next try of a failed step (wall time, not scaled: it is about the services
 * recovering): 0.5 s, 1 s, 2 s, … capped at 8 s, with jitter.
 */
export function retryPauseMs(attempt: number, rng: Rng, baseMs = 500, capMs = 8000): number {
  return Math.round(Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1)) * (0.75 + rng() * 0.5));
}
