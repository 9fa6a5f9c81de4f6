import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { newB2cOrder, submit } from './support/orders.js';
import { promQuery, secureFetch } from './support/secure.js';
import { adminApi, eventually, internalApi, localUp, resetFaults, secret, stopNative } from './support/stack.js';

/**
 * A lost order caught before the customer calls: the CRM's registry counts it stuck
 * (orderscope_orders_stuck), the real Prometheus fires OrdersStuck, the real Alertmanager sends it
 * to the CRM's incidents webhook. The CRM runs here with a short stuck threshold (restored after).
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

  it('fires OrdersStuck for an order lost in the MES, and the CRM records the incident', { timeout: 420_000 }, async (t: TestContext) => {
    // Earlier tests leave lost orders open: close them by hand, so the alert resolves and what
    // fires next is this test's order (a new alert occurrence, started after this point).
    const { body: open } = await internalApi('crm').send<{ orders: Order[] }>('GET', '/registry/orders?stuck_for_s=0&limit=1000');
    for (const o of open.orders) await internalApi('crm').call('POST', `/orders/${o.order_id}/close`, { json: {} });
    await eventually('no order stuck in Prometheus', 90_000, async () => {
      const r = await promQuery('sum(orderscope_orders_stuck)');
      return r.length === 1 && r[0]!.value[1] === '0' ? true : undefined;
    });
    await eventually('OrdersStuck not firing', 90_000, async () =>
      (await promQuery('ALERTS{alertname="OrdersStuck",alertstate="firing"}')).length === 0 ? true : undefined,
    );
    const since = Date.now();

    // The MES drops the hand-off: the order stays MANUFACTURING_APPROVED, and nobody is told.
    const id = await newB2cOrder();
    await adminApi('mes').send('PUT', '/admin/faults', { json: { dropRate: 1 } });
    assert.equal((await submit(id)).status, 200, 'the hand-off "succeeded"');
    await resetFaults();

    const stuck = await eventually('orderscope_orders_stuck{status="MANUFACTURING_APPROVED"} = 1', 90_000, async () => {
      const r = await promQuery('orderscope_orders_stuck{status="MANUFACTURING_APPROVED"}');
      return r[0]?.value[1] === '1' ? r[0] : undefined;
    });
    t.diagnostic(`stuck in Prometheus ${((Date.now() - since) / 1000).toFixed(0)} s after the order was lost (${stuck.metric.instance})`);

    const firing = await eventually('OrdersStuck firing in Prometheus', 180_000, async () => {
      const r = await promQuery('ALERTS{alertname="OrdersStuck",alertstate="firing",status="MANUFACTURING_APPROVED"}');
      return r.length === 1 ? r[0] : undefined;
    });
    t.diagnostic(`OrdersStuck firing ${((Date.now() - since) / 1000).toFixed(0)} s after the order was lost`);

    // In Alertmanager (its API, over HTTPS with a client certificate of the stack's CA).
    await eventually('OrdersStuck active in Alertmanager', 60_000, async () => {
      const res = await secureFetch('https://127.0.0.1:9093/api/v2/alerts?filter=alertname%3D%22OrdersStuck%22', {}, 'grafana');
      if (!res.ok) return undefined;
      const alerts = (await res.json()) as Array<{ labels: Record<string, string>; status: { state: string } }>;
      return alerts.some((a) => a.labels.status === 'MANUFACTURING_APPROVED' && a.status.state === 'active') ? true : undefined;
    });

    const incident = await eventually('the incident at the CRM', 180_000, async () => {
      const { body } = await internalApi('crm').send<{ incidents: Incident[] }>('GET', '/internal/incidents?alertname=OrdersStuck&status=firing');
      return body.incidents.find((i) => i.labels.status === 'MANUFACTURING_APPROVED' && Date.parse(i.starts_at) >= since - 1000);
    });
    assert.equal(incident.labels.severity, 'warning');
    assert.equal(incident.annotations.summary, '1 order(s) stuck in MANUFACTURING_APPROVED');
    assert.equal(firing.metric.severity, 'warning');
    t.diagnostic(`incident recorded by the CRM ${((Date.now() - since) / 1000).toFixed(0)} s after the order was lost: ${incident.annotations.summary}`);

    // The stuck order itself, where an operator goes next.
    const { body } = await internalApi('crm').send<{ orders: Order[] }>('GET', `/registry/orders?status=MANUFACTURING_APPROVED&stuck_for_s=${STUCK_AFTER_S}`);
    assert.deepEqual(body.orders.map((o) => o.order_id), [id]);
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
