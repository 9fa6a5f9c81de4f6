import { Counter, Histogram, type Registry } from 'prom-client';
import type { CallStats } from '../http/client.js';

/** How a logical call (all its attempts) ended. */
export type CallOutcome = 'ok' | 'error_status' | 'failed';

/** Buckets of a logical call's duration, retries and backoff included: 5 ms to 30 s. */
export const CALL_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export type CallObserver = (stats: CallStats, outcome: CallOutcome) => void;

/**
 * Outbound calls to the other services, as ServiceClient makes them (one logical call, its
 * attempts): calls per callee and outcome (ok: any answer below 500; error_status: a 5xx after the
 * retries; failed: no answer — timeouts, refused connections), attempts, retries, attempts that
 * timed out, and the call's duration. Every callee in `peers` starts at 0, so "no retries" is a
 * value. `peer_service` as OpenTelemetry's peer.service attribute.
 */
export function callMetrics(registry: Registry, peers: readonly string[]): CallObserver {
  const labelNames = ['peer_service'] as const;
  const calls = new Counter({ name: 'orderscope_calls_total', help: 'Logical calls to another service, per callee and outcome.', labelNames: ['peer_service', 'outcome'], registers: [registry] });
  const attempts = new Counter({ name: 'orderscope_call_attempts_total', help: 'HTTP attempts of those calls (the first and every retry).', labelNames, registers: [registry] });
  const retries = new Counter({ name: 'orderscope_call_retries_total', help: 'Retried attempts of those calls.', labelNames, registers: [registry] });
  const timeouts = new Counter({ name: 'orderscope_call_timeouts_total', help: 'Attempts that ran out of their time budget.', labelNames, registers: [registry] });
  const duration = new Histogram({
    name: 'orderscope_call_duration_seconds',
    help: 'Duration of a logical call, its retries and backoff included, per callee and outcome.',
    labelNames: ['peer_service', 'outcome'],
    buckets: CALL_DURATION_BUCKETS,
    registers: [registry],
  });
  for (const peer_service of peers) {
    for (const outcome of ['ok', 'error_status', 'failed'] satisfies CallOutcome[]) calls.inc({ peer_service, outcome }, 0);
    for (const c of [attempts, retries, timeouts]) c.inc({ peer_service }, 0);
  }
  return (s, outcome) => {
    const peer_service = s.target;
    calls.inc({ peer_service, outcome });
    attempts.inc({ peer_service }, s.attempts);
    retries.inc({ peer_service }, s.retryCount);
    timeouts.inc({ peer_service }, s.timedOutAttempts);
    duration.observe({ peer_service, outcome }, s.durationMs / 1000);
  };
}
