import type { FaultSettings } from '@orderscope/platform';
import type { ServiceName } from '@orderscope/orders';

/** The fault settings scenarios use: the admin endpoint's errorRate, latencyMs, hangRate, dbLatencyMs, dropRate. */
export type ScenarioFaults = Pick<FaultSettings, 'errorRate' | 'latencyMs' | 'hangRate' | 'dbLatencyMs' | 'dropRate'>;

export interface FaultWindow {
  readonly service: ServiceName;
  /** Applied on top of the scenario's steady settings for the window. */
  readonly settings: Partial<ScenarioFaults>;
  /** Seconds after the run starts. */
  readonly startS: number;
  readonly durationS: number;
  /** In continuous mode the window repeats with this period (seconds). */
  readonly everyS: number;
  /** First start in continuous mode (leave the demo a healthy warm-up). */
  readonly continuousStartS: number;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly lookFor: string;
  /** Settings applied for the whole run. */
  readonly faults: Partial<Record<ServiceName, Partial<ScenarioFaults>>>;
  readonly windows: readonly FaultWindow[];
  /** True when some orders are expected to end stuck (lost on purpose). */
  readonly expectsStuck: boolean;
}

export const NO_FAULTS: ScenarioFaults = { errorRate: 0, latencyMs: 0, hangRate: 0, dbLatencyMs: 0, dropRate: 0 };

/**
 * Named fault scenarios. At start the simulator resets every service's faults (DELETE
 * /admin/faults: back to the service's own baseline, leftovers of an earlier run cleared), then
 * PUTs the scenario's settings (unlisted services and fields get zero), runs the timed windows,
 * and DELETEs /admin/faults on every service on exit.
 *
 * | scenario      | faults                                               | what to look for                                         |
 * |---------------|------------------------------------------------------|----------------------------------------------------------|
 * | healthy       | none (all zero)                                      | every order CLOSED, retries ≈ 0; the baseline latencies  |
 * | flaky-pricing | mes-api errorRate 0.3                                | every order still CLOSED; B2B orders show retries in the |
 * |               |                                                      | report, B2C ones inside the shop (its mes-api calls'     |
 * |               |                                                      | retry count); 500s at mes-api                            |
 * | slow-mes      | mes latencyMs 300, dbLatencyMs 100                   | every order CLOSED; submit_ms (CRM → MES hand-off) and   |
 * |               |                                                      | operator steps slower; slow DB spans in the MES          |
 * | crm-outage    | crm hangRate 1 from 2 s for 15 s (continuous: every  | timeouts (504) on every call into the CRM in the window; |
 * |               | 120 s, from 30 s)                                    | customers, operators and the carrier retry; afterwards   |
 * |               |                                                      | orders resume and CLOSE; retries high                    |
 * | lost-orders   | mes dropRate 0.2                                     | ~20 % of orders stuck=true at MANUFACTURING_APPROVED:    |
 * |               |                                                      | approved by the CRM, never queued by the MES             |
 */
export const SCENARIOS = {
  healthy: {
    name: 'healthy',
    description: 'No faults anywhere.',
    lookFor: 'Every order CLOSED with few or no retries; the baseline latency of each step.',
    faults: {},
    windows: [],
    expectsStuck: false,
  },
  'flaky-pricing': {
    name: 'flaky-pricing',
    description: 'The MES API (pricing and the B2B API) fails 30 % of requests with an injected 500.',
    lookFor:
      'Every order still CLOSED thanks to retries: B2B orders show retries in the report (their clients call the MES API directly); B2C retries happen inside the shop (retry.count on its mes-api calls); 500s at mes-api.',
    faults: { 'mes-api': { errorRate: 0.3 } },
    windows: [],
    expectsStuck: false,
  },
  'slow-mes': {
    name: 'slow-mes',
    description: 'The MES answers slowly: +300 ms per request and +100 ms per DB statement.',
    lookFor:
      'Every order CLOSED but slower: a longer submit_ms (the CRM → MES hand-off), slower operator steps, long DB spans in the MES.',
    faults: { mes: { latencyMs: 300, dbLatencyMs: 100 } },
    windows: [],
    expectsStuck: false,
  },
  'crm-outage': {
    name: 'crm-outage',
    description: 'The CRM stops answering (hangRate 1) for 15 s, 2 s into the run; continuous mode repeats it every 120 s.',
    lookFor:
      'Timeouts (504) on every call into the CRM during the window, customers re-submitting, operators and the carrier retrying; afterwards the orders resume and CLOSE.',
    faults: {},
    windows: [{ service: 'crm', settings: { hangRate: 1 }, startS: 2, durationS: 15, everyS: 120, continuousStartS: 30 }],
    expectsStuck: false,
  },
  'lost-orders': {
    name: 'lost-orders',
    description: 'The MES silently drops 20 % of the CRM hand-offs: it answers 202 and forgets the work order.',
    lookFor:
      'About 20 % of orders stuck=true at MANUFACTURING_APPROVED; the registry shows them not moving (GET /registry/orders?stuck=true), and OrdersStuck fires.',
    faults: { mes: { dropRate: 0.2 } },
    windows: [],
    expectsStuck: true,
  },
} as const satisfies Record<string, Scenario>;

export type ScenarioName = keyof typeof SCENARIOS;
export const SCENARIO_NAMES = Object.keys(SCENARIOS) as [ScenarioName, ...ScenarioName[]];

export function isScenarioName(value: unknown): value is ScenarioName {
  return typeof value === 'string' && Object.hasOwn(SCENARIOS, value);
}

export function getScenario(name: ScenarioName): Scenario {
  return SCENARIOS[name];
}

/** The full settings a service gets for the whole run of `scenario`. */
export function steadySettings(scenario: Scenario, service: ServiceName): ScenarioFaults {
  return { ...NO_FAULTS, ...scenario.faults[service] };
}
