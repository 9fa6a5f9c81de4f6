import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError, UpstreamError, type CallResult } from '@orderscope/platform';
import { isOrderStatus, MATERIALS, pathOf, type Channel, type OrderStatus } from '@orderscope/orders';
import type { SimulatorClients } from './clients.js';
import { intBetween, pick, type Rng } from './random.js';
import { randomBoxSize, randomModel, type GeneratedModel } from './stl.js';
import { activityMs, retryPauseMs, type Activity } from './timing.js';

/** Timings are named after the milestone reached; each is measured from the previous milestone. */
const MILESTONE_TIMING: Partial<Record<OrderStatus, string>> = {
  INITIATED: 'create_ms',
  FILE_UPLOADED: 'upload_ms',
  MANUFACTURING_APPROVED: 'submit_ms',
  MANUFACTURING_STARTED: 'queue_ms',
  MANUFACTURING_COMPLETED: 'manufacturing_ms',
  PACKAGING: 'to_packaging_ms',
  SHIPPED: 'packaging_ms',
  CLOSED: 'delivery_ms',
};

/** One simulated order as the simulator saw it. */
export class OrderRun {
  orderId: string | null = null;
  status: OrderStatus | null = null;
  retries = 0;
  error: string | undefined;
  /** performance.now() when its customer started; undefined until then. */
  startedAt: number | undefined;
  finishedAt: number | undefined;
  readonly timings: Record<string, number> = {};
  readonly done: Promise<void>;
  readonly #path: readonly OrderStatus[];
  #lastMilestone = 0;
  #resolve!: () => void;

  constructor(
    readonly index: number,
    readonly channel: Channel,
  ) {
    this.#path = pathOf(channel);
    this.done = new Promise((resolve) => (this.#resolve = resolve));
  }

  begin(): void {
    this.startedAt = this.#lastMilestone = performance.now();
  }

  get finished(): boolean {
    return this.finishedAt !== undefined;
  }

  /** Records a status the order reached (never moves back: answers may arrive out of order). */
  reached(status: OrderStatus): void {
    const next = this.#path.indexOf(status);
    const current = this.status === null ? -1 : this.#path.indexOf(this.status);
    if (next <= current) return;
    this.status = status;
    const now = performance.now();
    const timing = MILESTONE_TIMING[status];
    if (timing) {
      this.timings[timing] = Math.round(now - this.#lastMilestone);
      this.#lastMilestone = now;
    }
    if (status === 'CLOSED') this.finish();
  }

  /** The order's flow is over: CLOSED, or stopped by `error`. */
  finish(error?: string): void {
    if (this.finished) return;
    this.finishedAt = performance.now();
    if (error !== undefined) this.error = error;
    this.#resolve();
  }
}

/** A step that failed for good: a refusal (4xx), or still failing after all re-tries. */
export class StepFailed extends Error {
  constructor(step: string, cause: unknown) {
    const detail = cause instanceof AppError ? `${cause.message} (${cause.status} ${cause.code})` : (cause as Error).message;
    super(`${step}: ${detail}`);
    this.name = 'StepFailed';
  }
}

export function isAbort(err: unknown): boolean {
  return (err as Error | undefined)?.name === 'AbortError';
}

export interface SimulationSettings {
  readonly timeScale: number;
  /** "own": operators work only on this simulator's orders (one-shot); "all": the whole queue (continuous). */
  readonly operators: 'own' | 'all';
  /** How often operators look at the MES queue (wall ms). */
  readonly pollMs: number;
  readonly rng: Rng;
  /** Stops every pause, poll and re-try. */
  readonly signal: AbortSignal;
  /** Tries per customer step (the first included). */
  readonly customerAttempts: number;
  /** Tries per operator step and carrier delivery: staff do not give up quickly. */
  readonly staffAttempts: number;
  readonly log: (line: string) => void;
}

const OPERATOR_STEPS = [
  { step: 'start', state: 'queued', before: 'operatorPickup' },
  { step: 'complete', state: 'in_progress', before: 'manufacturing' },
  { step: 'package', state: 'completed', before: 'toPackaging' },
  { step: 'ship', state: 'packaging', before: 'packing' },
] as const satisfies ReadonlyArray<{ step: string; state: string; before: Activity }>;
type WorkState = (typeof OPERATOR_STEPS)[number]['state'];

const CARRIERS = ['DHL', 'UPS', 'DPD', 'GLS', 'FedEx'] as const;
const B2B_CUSTOMERS = ['acme-robotics', 'nordic-drones', 'medtech-labs', 'auto-parts-gmbh', 'studio-proto'] as const;

interface OrderView {
  readonly order_id: string;
  readonly status?: unknown;
  /** The order's capability, in the creation's answer only. */
  readonly order_token?: string;
}

/** What the customer shows on every later call about the order: its token (as a bearer). */
function asOrderHolder(created: { body: OrderView }, step: string): Record<string, string> {
  const token = created.body.order_token;
  if (!token) throw new StepFailed(step, new Error('the answer has no order_token'));
  return { authorization: `Bearer ${token}` };
}

function statusOf(body: unknown, fallback: OrderStatus): OrderStatus {
  const status = (body as { status?: unknown } | undefined)?.status;
  return isOrderStatus(status) ? status : fallback;
}

function modelForm(model: GeneratedModel, fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set('model', new Blob([new Uint8Array(model.bytes)], { type: 'model/stl' }), model.filename);
  return form;
}

/**
 * The people around an order: B2C customers in the shop, B2B clients of the MES API, MES
 * operators working the queue, and the carrier. Orders are started with `placeOrder`; operators
 * run while `runOperators` runs.
 */
export class Simulation {
  /** Orders by id, as soon as their creation was answered. */
  readonly runs = new Map<string, OrderRun>();
  readonly #claimed = new Set<string>();
  readonly #givenUp = new Set<string>();
  #pollFailing = false;
  #b2cOrders = 0;
  #b2bOrders = 0;

  constructor(
    private readonly clients: SimulatorClients,
    private readonly settings: SimulationSettings,
  ) {}

  #pause(ms: number): Promise<void> {
    return sleep(ms, undefined, { signal: this.settings.signal });
  }

  #wait(activity: Activity): Promise<void> {
    return this.#pause(activityMs(activity, this.settings.timeScale, this.settings.rng));
  }

  /**
   * One logical step, re-tried after a pause while it fails with a 5xx or a timeout (the
   * endpoints are idempotent); a 4xx is final. Every extra HTTP attempt counts as a retry.
   */
  async #persist<T>(
    run: OrderRun | undefined,
    step: string,
    maxAttempts: number,
    call: () => Promise<CallResult<T>>,
  ): Promise<CallResult<T>> {
    let attempts = 0;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          const result = await call();
          attempts += result.attempts;
          return result;
        } catch (err) {
          attempts += err instanceof UpstreamError ? err.stats.attempts : 1;
          const retryable = err instanceof UpstreamError || !(err instanceof AppError) || err.status >= 500;
          if (!retryable || attempt >= maxAttempts || this.settings.signal.aborted) throw new StepFailed(step, err);
          await this.#pause(retryPauseMs(attempt, this.settings.rng));
        }
      }
    } finally {
      if (run && attempts > 1) run.retries += attempts - 1;
    }
  }

  #bind(run: OrderRun, orderId: string): void {
    run.orderId = orderId;
    this.runs.set(orderId, run);
  }

  /** Plays the order's customer up to the placed order; the order then waits for operators and the carrier. */
  async placeOrder(run: OrderRun): Promise<void> {
    run.begin();
    try {
      if (run.channel === 'b2c') await this.#b2cCustomer(run);
      else await this.#b2bClient(run);
    } catch (err) {
      // After the stop (deadline, signal) the report is made: a late failure changes nothing.
      if (isAbort(err) || this.settings.signal.aborted) return;
      run.finish(err instanceof StepFailed ? err.message : `unexpected: ${(err as Error).message}`);
    }
  }

  async #b2cCustomer(run: OrderRun): Promise<void> {
    const { rng, customerAttempts: tries } = this.settings;
    const { shop } = this.clients;
    const key = `sim-${randomUUID()}`;
    const userId = `sim-user-${intBetween(rng, 1, 5000)}`;
    const created = await this.#persist(run, 'create order', tries, () =>
      shop.send<OrderView>('POST', '/orders', { json: { user_id: userId }, headers: { 'idempotency-key': key } }),
    );
    const orderId = created.body.order_id;
    const headers = asOrderHolder(created, 'create order');
    this.#bind(run, orderId);
    run.reached(statusOf(created.body, 'INITIATED'));

    await this.#wait('customerThink');
    // Every other customer builds a box in the online constructor; the others upload a binary STL.
    const useConstructor = this.#b2cOrders++ % 2 === 1;
    const uploaded = useConstructor
      ? await this.#persist(run, 'build model', tries, () =>
          shop.send<OrderView>('PUT', `/orders/${orderId}/model/constructor`, {
            json: { shape: 'box', size_mm: randomBoxSize(rng) },
            headers,
          }),
        )
      : await this.#persist(run, 'upload model', tries, () =>
          shop.send<OrderView>('PUT', `/orders/${orderId}/model`, { form: modelForm(randomModel(rng, 'binary')), headers }),
        );
    run.reached(statusOf(uploaded.body, 'FILE_UPLOADED'));

    await this.#wait('customerThink');
    const quantity = intBetween(rng, 1, 5);
    const material = pick(rng, MATERIALS);
    // "Place order" runs the chain shop → MES API → CRM → MES; a failure anywhere is re-submitted.
    const submitted = await this.#persist(run, 'submit order', tries, () =>
      shop.send<OrderView>('POST', `/orders/${orderId}/submit`, { json: { quantity, material }, headers }),
    );
    run.reached(statusOf(submitted.body, 'MANUFACTURING_APPROVED'));
  }

  async #b2bClient(run: OrderRun): Promise<void> {
    const { rng, customerAttempts: tries } = this.settings;
    const { mesApi } = this.clients;
    const key = `sim-${randomUUID()}`;
    // B2B integrations send binary and ASCII STL alike.
    const model = randomModel(rng, this.#b2bOrders++ % 2 === 0 ? 'binary' : 'ascii');
    const fields = {
      customer_id: pick(rng, B2B_CUSTOMERS),
      quantity: String(intBetween(rng, 10, 200)),
      material: pick(rng, MATERIALS),
    };
    const created = await this.#persist(run, 'upload order', tries, () =>
      mesApi.send<OrderView>('POST', '/b2b/orders', { form: modelForm(model, fields), headers: { 'idempotency-key': key } }),
    );
    const orderId = created.body.order_id;
    const headers = asOrderHolder(created, 'upload order');
    this.#bind(run, orderId);
    run.reached(statusOf(created.body, 'FILE_UPLOADED'));

    await this.#wait('b2bThink');
    const submitted = await this.#persist(run, 'submit order', tries, () =>
      mesApi.send<OrderView>('POST', `/b2b/orders/${orderId}/submit`, { headers }),
    );
    run.reached(statusOf(submitted.body, 'MANUFACTURING_APPROVED'));
  }

  /**
   * The operators: poll the MES queue until stopped; each queued work order gets an operator. Their
   * MES client carries the run's operator key (startOperatorShift).
   */
  async runOperators(): Promise<void> {
    const { signal, pollMs, operators } = this.settings;
    // Work a previous simulator left half done (continuous mode, after a restart).
    if (operators === 'all') {
      for (const state of ['in_progress', 'completed', 'packaging'] as const) await this.#poll(state);
    }
    while (!signal.aborted) {
      await this.#poll('queued');
      try {
        await this.#pause(pollMs);
      } catch {
        break;
      }
    }
  }

  async #poll(state: WorkState): Promise<void> {
    try {
      const res = await this.clients.mes.send<{ work_orders: Array<{ order_id: string }> }>(
        'GET',
        `/work-orders?state=${state}&limit=500`,
      );
      if (this.#pollFailing) this.settings.log('operators: the MES queue answers again');
      this.#pollFailing = false;
      for (const wo of res.body.work_orders) this.#claim(wo.order_id, state);
    } catch (err) {
      if (!this.#pollFailing) this.settings.log(`operators: cannot read the MES queue: ${(err as Error).message}`);
      this.#pollFailing = true;
    }
  }

  #claim(orderId: string, state: WorkState): void {
    if (this.#claimed.has(orderId) || this.#givenUp.has(orderId)) return;
    if (this.settings.operators === 'own' && !this.runs.has(orderId)) return;
    this.#claimed.add(orderId);
    void this.#operate(orderId, state).finally(() => this.#claimed.delete(orderId));
  }

  /** An operator takes the work order through its remaining steps; then the carrier delivers it. */
  async #operate(orderId: string, from: WorkState): Promise<void> {
    const { rng, staffAttempts: tries } = this.settings;
    const carrier = pick(rng, CARRIERS);
    const tracking = `${carrier.toUpperCase()}${intBetween(rng, 100_000_000, 999_999_999)}`;
    try {
      for (const { step, before } of OPERATOR_STEPS.slice(OPERATOR_STEPS.findIndex((s) => s.state === from))) {
        await this.#wait(before);
        const res = await this.#persist(this.runs.get(orderId), `operator ${step}`, tries, () =>
          this.clients.mes.send<{ transition: { status: OrderStatus } }>(
            'POST',
            `/work-orders/${orderId}/${step}`,
            step === 'ship' ? { json: { carrier, tracking_number: tracking } } : {},
          ),
        );
        this.runs.get(orderId)?.reached(res.body.transition.status);
      }
      await this.#wait('delivery');
      const res = await this.#persist(this.runs.get(orderId), 'carrier delivery', tries, () =>
        this.clients.carrier.send<{ transition: { status: OrderStatus } }>('POST', '/carrier/deliveries', {
          json: { order_id: orderId, tracking_number: tracking },
        }),
      );
      this.runs.get(orderId)?.reached(res.body.transition.status);
    } catch (err) {
      if (isAbort(err) || this.settings.signal.aborted) return;
      this.#givenUp.add(orderId);
      const message = err instanceof StepFailed ? err.message : `unexpected: ${(err as Error).message}`;
      this.settings.log(`order ${orderId}: ${message}`);
      this.runs.get(orderId)?.finish(message);
    }
  }
}
