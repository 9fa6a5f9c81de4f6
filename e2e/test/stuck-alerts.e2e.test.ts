import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { newB2cOrder, submit } from './support/orders.js';
import { promQuery, secureFetch } from './support/secure.js';
import { eventually, internalApi, localUp, publicApi, resetFaults, secret, stopNative } from './support/stack.js';

/**
 * A stuck order caught before the customer calls: the CRM's registry counts it stuck
 * (orderscope_orders_stuck), the real Prometheus fires OrdersStuck, the real Alertmanager sends it
 * to the CRM's incidents webhook, and the resolution once the order moves on. The CRM runs here
 * with a short stuck threshold (restored after).
 */
const STUCK_AFTER_S = 20;

interface Incident { alertname: string; status: string; labels: Record<string, string>; annotations: Record<string, string>; starts_at: string }
interface Order { order_id: string; status: string }

async function restartCrm(env: Record<string, string>): Promise<void> {
  await stopNative('crm');
  await localUp(env);
}

describe('stuck orders alert, through Prometheus and Alertmanager to the CRM', () => {
  before(async () => {
    await restartCrm({ STUCK_AFTER_S: String(STUCK_AFTER_S) });
    await resetFaults();
  });
  after(async () => {
    await resetFaults();
    await restartCrm({});
  });

  it('fires OrdersStuck for an order left at an operator step, the CRM records the incident, and its resolution once the order moves', { timeout: 480_000 }, async (t: TestContext) => {
    // Orders of earlier tests stay stuck where they were lost (manual closing is for shipped orders
    // only), and their alert has fired already. A status with nothing stuck shows that what fires
    // next is this test's order: the first operator step with none.
    const steps = [
      { status: 'MANUFACTURING_STARTED', path: ['start'] },
      { status: 'MANUFACTURING_COMPLETED', path: ['start', 'complete'] },
      { status: 'PACKAGING', path: ['start', 'complete', 'package'] },
    ];
    // The restarted CRM scraped again first: every status has its series.
    await eventually('the CRM scraped since its restart', 60_000, async () =>
      (await promQuery('orderscope_orders_stuck')).length > 0 && (await promQuery('up{service="crm"} == 1')).length === 1 ? true : undefined,
    );
    let step: (typeof steps)[number] | undefined;
    for (const candidate of steps) {
      const stuckNow = await promQuery(`orderscope_orders_stuck{status="${candidate.status}"}`);
      const alerting = await promQuery(`ALERTS{alertname="OrdersStuck",status="${candidate.status}"}`);
      if (stuckNow.length === 1 && stuckNow[0]!.value[1] === '0' && alerting.length === 0) {
        step = candidate;
        break;
      }
    }
    assert.ok(step, `an operator step with no stuck order and no OrdersStuck alert (${steps.map((s) => s.status).join(', ')})`);
    const status = step.status;

    // A B2C order the operators take up to that step, and then leave.
    const id = await newB2cOrder();
    assert.equal((await submit(id)).status, 200);
    await eventually(`order ${id} in the MES queue`, 30_000, async () => {
      const { body } = await internalApi('crm').send<{ status: string }>('GET', `/registry/orders/${id}`);
      return body.status === 'MANUFACTURING_APPROVED' ? true : undefined;
    });
    for (const s of step.path) await publicApi('mes').send('POST', `/work-orders/${id}/${s}`);
    const since = Date.now();
    const secondsSince = () => ((Date.now() - since) / 1000).toFixed(0);

    await eventually(`orderscope_orders_stuck{status="${status}"} = 1`, 90_000, async () => {
      const r = await promQuery(`orderscope_orders_stuck{status="${status}"}`);
      return r[0]?.value[1] === '1' ? true : undefined;
    });
    t.diagnostic(`${id} left in ${status}: stuck in Prometheus after ${secondsSince()} s (STUCK_AFTER_S=${STUCK_AFTER_S})`);
    const firing = await eventually('OrdersStuck firing in Prometheus', 180_000, async () => {
      const r = await promQuery(`ALERTS{alertname="OrdersStuck",alertstate="firing",status="${status}"}`);
      return r.length === 1 ? r[0] : undefined;
    });
    assert.equal(firing.metric.severity, 'warning');
    t.diagnostic(`OrdersStuck firing after ${secondsSince()} s`);

    // In Alertmanager (its API, over HTTPS with a client certificate of the stack's CA).
    await eventually('OrdersStuck active in Alertmanager', 60_000, async () => {
      const res = await secureFetch('https://127.0.0.1:9093/api/v2/alerts?filter=alertname%3D%22OrdersStuck%22', {}, 'grafana');
      if (!res.ok) return undefined;
      const alerts = (await res.json()) as Array<{ labels: Record<string, string>; status: { state: string } }>;
      return alerts.some((a) => a.labels.status === status && a.status.state === 'active') ? true : undefined;
    });

    const incidents = async (state: 'firing' | 'resolved') => {
      const { body } = await internalApi('crm').send<{ incidents: Incident[] }>('GET', `/internal/incidents?alertname=OrdersStuck&status=${state}`);
      return body.incidents.find((i) => i.labels.status === status && Date.parse(i.starts_at) >= since - 1000);
    };
    const incident = await eventually('the incident at the CRM', 180_000, () => incidents('firing'));
    assert.equal(incident.labels.severity, 'warning');
    assert.equal(incident.annotations.summary, `1 order(s) stuck in ${status}`);
    t.diagnostic(`incident recorded by the CRM after ${secondsSince()} s: ${incident.annotations.summary}`);

    // Where an operator goes next: the stuck order itself.
    const { body } = await internalApi('crm').send<{ orders: Order[] }>('GET', `/registry/orders?status=${status}&stuck_for_s=${STUCK_AFTER_S}`);
    assert.deepEqual(body.orders.map((o) => o.order_id), [id]);

    // The operators finish it: the alert resolves, and the CRM is told.
    for (const s of ['start', 'complete', 'package'].slice(step.path.length)) await publicApi('mes').send('POST', `/work-orders/${id}/${s}`);
    await publicApi('mes').send('POST', `/work-orders/${id}/ship`, { json: { carrier: 'e2e-parcel', tracking_number: 'E2E-ALERT' } });
    await internalApi('crm').send('POST', '/carrier/deliveries', { json: { order_id: id, tracking_number: 'E2E-ALERT' } });
    const moved = Date.now();
    const resolved = await eventually('the resolved incident at the CRM', 180_000, () => incidents('resolved'));
    assert.equal(resolved.starts_at, incident.starts_at, 'the same occurrence, now resolved');
    t.diagnostic(`resolution recorded ${((Date.now() - moved) / 1000).toFixed(0)} s after the order moved on`);
  });

  it('refuses a notification without the webhook token, and a payload that is not one, saying why', async () => {
    const noToken = await internalApi('crm').call<{ error: string }>('POST', '/internal/incidents/alertmanager', { json: { version: '4' } });
    assert.equal(noToken.status, 401, 'the internal token is not the webhook token');
    const res = await fetch('http://127.0.0.1:8083/internal/incidents/alertmanager', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secret('alerts_webhook_token')}` },
      body: JSON.stringify({ version: '4', status: 'firing', receiver: 'x', alerts: [] }),
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: string; details?: unknown };
    assert.match(JSON.stringify(body), /alerts/, 'names the field');
  });
});
