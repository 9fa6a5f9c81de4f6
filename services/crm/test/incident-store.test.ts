import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { storeDatabase } from '@orderscope/testkit';
import { webhookPayload, type WebhookAlert } from '../src/incidents/alertmanager-webhook.js';
import { IncidentStore } from '../src/incidents/incident-store.js';

const MIGRATIONS = fileURLToPath(new URL('../../migrations', import.meta.url));

const alert = (over: Partial<WebhookAlert> = {}): WebhookAlert => ({
  status: 'firing',
  labels: { alertname: 'OrdersStuck', status: 'MANUFACTURING_STARTED', severity: 'warning' },
  annotations: { summary: '1 order stuck in MANUFACTURING_STARTED' },
  startsAt: '2026-12-01T10:00:00Z',
  endsAt: '0001-01-01T00:00:00Z',
  fingerprint: randomUUID().slice(0, 16),
  ...over,
});

describe("the CRM's incidents", () => {
  let t: Awaited<ReturnType<typeof storeDatabase>>;
  let store: IncidentStore;
  before(async () => {
    t = await storeDatabase('crm', MIGRATIONS);
    store = new IncidentStore(t.db);
  });
  after(() => t?.close());

  it('keeps one incident per alert occurrence: repeated, then resolved, it is updated, not duplicated', async () => {
    const firing = alert();
    await store.record([firing]);
    await store.record([firing]);
    let found = (await store.list({ alertname: 'OrdersStuck', limit: 10 })).filter((i) => i.fingerprint === firing.fingerprint);
    assert.equal(found.length, 1);
    assert.deepEqual([found[0]!.status, found[0]!.severity, found[0]!.ends_at], ['firing', 'warning', null], 'Go zero time is no end');
    await store.record([{ ...firing, status: 'resolved', endsAt: '2026-12-01T10:05:00Z' }]);
    found = (await store.list({ status: 'resolved', limit: 10 })).filter((i) => i.fingerprint === firing.fingerprint);
    assert.equal(found.length, 1);
    assert.equal(new Date(found[0]!.ends_at!).toISOString(), '2026-12-01T10:05:00.000Z');
    assert.equal(new Date(found[0]!.starts_at).toISOString(), '2026-12-01T10:00:00.000Z');
  });

  it('takes Alertmanager payloads and refuses what is not one, naming the field', () => {
    const ok = webhookPayload.safeParse({ version: '4', status: 'firing', receiver: 'crm-incidents', groupKey: 'x', alerts: [alert()] });
    assert.equal(ok.success, true);
    const cases: Array<[string, unknown, string]> = [
      ['another version', { version: '3', status: 'firing', receiver: 'r', alerts: [alert()] }, 'version'],
      ['no alerts', { version: '4', status: 'firing', receiver: 'r', alerts: [] }, 'alerts'],
      ['an alert without a name', { version: '4', status: 'firing', receiver: 'r', alerts: [alert({ labels: {} })] }, 'alerts.0.labels'],
      ['a bad start', { version: '4', status: 'firing', receiver: 'r', alerts: [alert({ startsAt: 'yesterday' })] }, 'alerts.0.startsAt'],
    ];
    for (const [what, body, path] of cases) {
      const r = webhookPayload.safeParse(body);
      assert.equal(r.success, false, what);
      assert.ok(r.error!.issues.some((i) => i.path.join('.') === path), `${what}: names ${path} (${r.error!.issues.map((i) => i.path.join('.')).join(', ')})`);
    }
  });
});
