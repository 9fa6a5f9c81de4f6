import { ORDER_STATUSES, isTerminal, type OrderStatus } from './order-lifecycle.js';

/** A status an order can wait in. */
export type OpenStatus = Exclude<OrderStatus, 'CLOSED'>;
export const OPEN_STATUSES = ORDER_STATUSES.filter((s): s is OpenStatus => !isTerminal(s));

/**
 * How long an order may wait in each status before it counts as stuck, in business minutes: what
 * the company promises for each step (docs/alerting.md). Generous against what the people take
 * (the simulator's timing.ts, checked by its tests): a healthy order is never stuck.
 */
export const ALLOWED_MINUTES: Readonly<Record<OpenStatus, number>> = {
  INITIATED: 24 * 60, // the customer has a day to upload the model
  FILE_UPLOADED: 24 * 60, // … and to press "Place order"
  SUBMITTED: 30, // pricing is automatic
  PRICE_CALCULATED: 30, // so is the approval
  MANUFACTURING_APPROVED: 60, // an operator picks the work order up within the hour
  MANUFACTURING_STARTED: 4 * 60, // printing
  MANUFACTURING_COMPLETED: 60, // post-processing
  PACKAGING: 2 * 60,
  SHIPPED: 3 * 24 * 60, // the carrier's delivery
};

/**
 * The demo's clock: one business minute lasts 60/600 s = 100 ms, so an order lives ~20 s. The
 * simulator plays the people at this pace and the CRM scales the allowed times by the same factor.
 */
export const DEMO_TIME_SCALE = 600;

export interface AllowedTimeSettings {
  /** Business time per wall time (1: real time; DEMO_TIME_SCALE: the demo). */
  readonly timeScale: number;
  /**
   * No status is stuck sooner than this (ms of wall time): retries, timeouts and restarts take
   * real seconds whatever the business clock's pace.
   */
  readonly floorMs: number;
}

/** The wall time (ms) each open status may last before its order counts as stuck. */
export function allowedWaitsMs(settings: AllowedTimeSettings): Readonly<Record<OpenStatus, number>> {
  const { timeScale, floorMs } = settings;
  if (!(timeScale > 0) || !(floorMs >= 0)) throw new RangeError(`allowed times need timeScale > 0 and floorMs >= 0, got ${timeScale} and ${floorMs}`);
  return Object.fromEntries(
    OPEN_STATUSES.map((s) => [s, Math.max(floorMs, Math.round((ALLOWED_MINUTES[s] * 60_000) / timeScale))]),
  ) as Record<OpenStatus, number>;
}
