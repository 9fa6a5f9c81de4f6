import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { faultSettingsSchema } from '@orderscope/platform';
import { SERVICE_NAMES } from '@orderscope/orders';
import { getScenario, NO_FAULTS, SCENARIO_NAMES, SCENARIOS, steadySettings, type ScenarioFaults } from '../src/scenarios.js';

describe('scenario table', () => {
  it('has the required scenarios', () => {
    for (const name of ['healthy', 'flaky-pricing', 'slow-mes', 'crm-outage', 'lost-orders']) {
      assert.ok(SCENARIO_NAMES.includes(name as never), name);
      assert.equal(getScenario(name as never).name, name);
    }
  });

  it('every setting is one the admin endpoint accepts, for known services', () => {
    const schema = faultSettingsSchema.partial().strict();
    for (const scenario of Object.values(SCENARIOS)) {
      assert.ok(scenario.description.length > 10 && scenario.lookFor.length > 10, `${scenario.name} is documented`);
      for (const [service, settings] of Object.entries(scenario.faults)) {
        assert.ok(SERVICE_NAMES.includes(service as never), `${scenario.name}: unknown service ${service}`);
        assert.ok(schema.safeParse(settings).success, `${scenario.name}/${service}: ${JSON.stringify(settings)}`);
      }
      for (const w of scenario.windows) {
        assert.ok(SERVICE_NAMES.includes(w.service));
        assert.ok(schema.safeParse(w.settings).success);
        assert.ok(w.startS >= 0 && w.durationS > 0, 'a window opens and closes');
        assert.ok(w.everyS > w.durationS, 'a repeating window closes before it opens again');
      }
      for (const service of SERVICE_NAMES) assert.ok(schema.safeParse(steadySettings(scenario, service)).success);
    }
  });

  it('healthy is all zero everywhere', () => {
    for (const service of SERVICE_NAMES) assert.deepEqual(steadySettings(SCENARIOS.healthy, service), NO_FAULTS);
    assert.ok(Object.values(NO_FAULTS).every((v) => v === 0));
    assert.equal(SCENARIOS.healthy.windows.length, 0);
  });

  it('each fault scenario does what its name says', () => {
    assert.equal(steadySettings(SCENARIOS['flaky-pricing'], 'mes-api').errorRate, 0.3);
    const slow = steadySettings(SCENARIOS['slow-mes'], 'mes');
    assert.ok(slow.latencyMs > 0 && slow.dbLatencyMs > 0);
    const [outage] = SCENARIOS['crm-outage'].windows;
    assert.equal(outage?.service, 'crm');
    const during: Partial<ScenarioFaults> = outage.settings;
    assert.ok(during.hangRate === 1 || during.errorRate === 1, 'the CRM is unavailable in the window');
    assert.deepEqual(steadySettings(SCENARIOS['crm-outage'], 'crm'), NO_FAULTS, 'and restored after it');
    assert.equal(steadySettings(SCENARIOS['lost-orders'], 'mes').dropRate, 0.2);
    assert.deepEqual(
      Object.values(SCENARIOS).filter((s) => s.expectsStuck).map((s) => s.name),
      ['lost-orders'],
    );
  });

  it('slow-mes stays under the services\' 1 s hop timeout (slow, not failing)', () => {
    const { latencyMs, dbLatencyMs } = steadySettings(SCENARIOS['slow-mes'], 'mes');
    // the CRM → MES hand-off: the request latency plus two statements
    assert.ok(latencyMs + 2 * dbLatencyMs < 1000);
  });
});
