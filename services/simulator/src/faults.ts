import { SERVICE_NAMES, type ServiceName } from '@orderscope/orders';
import type { SimulatorClients } from './clients.js';
import { SetupError } from './errors.js';
import { steadySettings, type FaultWindow, type Scenario, type ScenarioFaults } from './scenarios.js';

export interface FaultEvent {
  /** Seconds since the run started. */
  readonly at_s: number;
  readonly service: ServiceName;
  readonly action: 'apply' | 'window-start' | 'window-end' | 'reset';
  readonly settings?: Partial<ScenarioFaults>;
  readonly error?: string;
}

/**
 * Applies a scenario's fault settings through each service's admin endpoint, runs its timed
 * windows, and resets every service on exit.
 */
export class FaultController {
  readonly events: FaultEvent[] = [];
  #timers = new Set<NodeJS.Timeout>();
  #pending = new Set<Promise<void>>();
  #touched = false;
  #started = performance.now();

  constructor(
    private readonly admin: SimulatorClients['admin'],
    private readonly scenario: Scenario,
    private readonly log: (line: string) => void = () => {},
  ) {}

  get needsAdmin(): boolean {
    return Object.keys(this.scenario.faults).length > 0 || this.scenario.windows.length > 0;
  }

  #at(): number {
    return Math.round((performance.now() - this.#started) / 100) / 10;
  }

  async #put(service: ServiceName, settings: Partial<ScenarioFaults>): Promise<void> {
    if (!this.admin) throw new Error('no ADMIN_TOKEN');
    await this.admin[service].send('PUT', '/admin/faults', { json: settings });
  }

  /**
   * Resets every service, then sets the scenario's steady settings (zeros where it names none). Without an
   * admin token a scenario with faults is a setup error; "healthy" then leaves the faults alone.
   */
  async apply(): Promise<void> {
    this.#started = performance.now();
    if (!this.admin) {
      if (this.needsAdmin) {
        throw new SetupError(`scenario ${this.scenario.name} injects faults: set ADMIN_TOKEN (or ADMIN_TOKEN_FILE)`);
      }
      this.log('no ADMIN_TOKEN: fault settings left as they are');
      return;
    }
    this.#touched = true;
    const admin = this.admin;
    const results = await Promise.allSettled(
      SERVICE_NAMES.map(async (service) => {
        const settings = steadySettings(this.scenario, service);
        await admin[service].send('DELETE', '/admin/faults');
        await this.#put(service, settings);
        this.events.push({ at_s: this.#at(), service, action: 'apply', settings });
      }),
    );
    // The client's messages start with the service's name already.
    const failed = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
    if (failed.length > 0) throw new SetupError(`cannot apply the fault scenario ${this.scenario.name}: ${failed.join('; ')}`);
  }

  /** Schedules the scenario's windows: once (one-shot) or repeating with their period (continuous). */
  startWindows(repeat: boolean): void {
    if (!this.admin) return;
    for (const window of this.scenario.windows) {
      const firstS = repeat ? window.continuousStartS : window.startS;
      this.#schedule(firstS * 1000, () => this.#runWindow(window, repeat));
    }
  }

  #schedule(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
  }

  #runWindow(window: FaultWindow, repeat: boolean): void {
    const { service } = window;
    const during = { ...steadySettings(this.scenario, service), ...window.settings };
    const after = steadySettings(this.scenario, service);
    const change = (action: 'window-start' | 'window-end', settings: ScenarioFaults) => {
      const done = this.#put(service, settings).then(
        () => {
          this.events.push({ at_s: this.#at(), service, action, settings });
          this.log(`faults: ${service} ${action === 'window-start' ? 'window opens' : 'window closes'} ${JSON.stringify(window.settings)}`);
        },
        (err: unknown) => {
          this.events.push({ at_s: this.#at(), service, action, error: (err as Error).message });
          this.log(`faults: cannot change ${service}: ${(err as Error).message}`);
        },
      );
      this.#pending.add(done);
      void done.finally(() => this.#pending.delete(done));
    };
    change('window-start', during);
    this.#schedule(window.durationS * 1000, () => change('window-end', after));
    if (repeat) this.#schedule(window.everyS * 1000, () => this.#runWindow(window, repeat));
  }

  stopWindows(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  /** DELETE /admin/faults everywhere (back to each service's own baseline); never throws. */
  async reset(): Promise<void> {
    this.stopWindows();
    // A window change still in flight must not land after the reset.
    await Promise.allSettled([...this.#pending]);
    if (!this.admin || !this.#touched) return;
    this.#touched = false;
    const admin = this.admin;
    await Promise.all(
      SERVICE_NAMES.map(async (service) => {
        try {
          await admin[service].send('DELETE', '/admin/faults');
          this.events.push({ at_s: this.#at(), service, action: 'reset' });
        } catch (err) {
          this.events.push({ at_s: this.#at(), service, action: 'reset', error: (err as Error).message });
          this.log(`faults: cannot reset ${service}: ${(err as Error).message}`);
        }
      }),
    );
  }
}
