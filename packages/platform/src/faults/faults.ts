import { setTimeout as sleep } from 'node:timers/promises';
import express, { type RequestHandler, type Router } from 'express';
import { z } from 'zod';
import { AppError, validationError } from '../errors.js';
import { requireBearer } from '../http/auth.js';

/** What a service can be told to do wrong (env at start, the admin endpoint at run time). */
export interface FaultSettings {
  /** Share of requests answered with an injected 500. */
  readonly errorRate: number;
  /** Added to every request before it is handled. */
  readonly latencyMs: number;
  /** Share of requests that never get an answer (the caller's timeout fires). */
  readonly hangRate: number;
  /** Added to every DB statement, as a real pg_sleep on the server. */
  readonly dbLatencyMs: number;
  /** Share of hand-offs a service accepts and then silently forgets (lost orders). */
  readonly dropRate: number;
  /** The next N requests fail with an injected 500, whatever the rates (deterministic bursts). */
  readonly failNext: number;
}

/** Longest a "hanging" request is held before the server gives up on it itself. */
const MAX_HANG_MS = 120_000;

export const faultSettingsSchema = z
  .object({
    errorRate: z.number().min(0).max(1),
    latencyMs: z.number().int().min(0).max(600_000),
    hangRate: z.number().min(0).max(1),
    dbLatencyMs: z.number().int().min(0).max(600_000),
    dropRate: z.number().min(0).max(1),
    failNext: z.number().int().min(0).max(1_000_000),
  })
  .strict();

/**
 * Fault injection for one service: starts from the environment's settings, changed at run time
 * through the admin endpoint (the simulator's scenarios use it).
 */
export class FaultInjector {
  #settings: FaultSettings;

  constructor(
    private readonly baseline: FaultSettings,
    private readonly random: () => number = Math.random,
  ) {
    this.#settings = { ...baseline };
  }

  get settings(): FaultSettings {
    return this.#settings;
  }

  update(patch: Partial<FaultSettings>): FaultSettings {
    this.#settings = { ...this.#settings, ...patch };
    return this.#settings;
  }

  reset(): FaultSettings {
    this.#settings = { ...this.baseline };
    return this.#settings;
  }

  /** True for the share of hand-offs that should be silently lost. */
  shouldDrop(): boolean {
    return this.random() < this.#settings.dropRate;
  }

  /** Applied before the service's own routes: latency, then a hang or an injected error. */
  middleware(): RequestHandler {
    return async (req, res, next) => {
      const { latencyMs, hangRate, errorRate } = this.#settings;
      if (latencyMs > 0) await sleep(latencyMs);
      if (hangRate > 0 && this.random() < hangRate) {
        // Held until the caller gives up (closes) or the cap; the timer must not outlive the request.
        const held = new AbortController();
        res.once('close', () => held.abort());
        await sleep(MAX_HANG_MS, undefined, { signal: held.signal }).catch(() => undefined);
        if (!res.writableEnded && !res.destroyed) {
          next(new AppError(503, 'injected_hang', 'fault injection: request held without an answer'));
        }
        return;
      }
      if (this.#settings.failNext > 0) {
        this.#settings = { ...this.#settings, failNext: this.#settings.failNext - 1 };
        next(new AppError(500, 'injected_fault', 'fault injection: simulated internal error'));
        return;
      }
      if (errorRate > 0 && this.random() < errorRate) {
        next(new AppError(500, 'injected_fault', 'fault injection: simulated internal error'));
        return;
      }
      next();
    };
  }

  /** GET/PUT/DELETE /admin/faults, behind the admin token. */
  adminRouter(adminToken: string): Router {
    const router = express.Router();
    router.use(requireBearer(adminToken));
    router.get('/', (_req, res) => {
      res.json(this.settings);
    });
    router.put('/', (req, res) => {
      const parsed = faultSettingsSchema.partial().safeParse(req.body ?? {});
      if (!parsed.success) throw validationError(parsed.error.issues);
      res.json(this.update(parsed.data));
    });
    router.delete('/', (_req, res) => {
      res.json(this.reset());
    });
    return router;
  }
}
