import { setTimeout as sleep } from 'node:timers/promises';
import { detailSpans, findOrderTraces, isSkeleton, tag } from '../support/jaeger.js';
import { manufactureAndDeliver, newB2cOrder, submit } from '../support/orders.js';
import { spread, type BenchResult } from './result.js';

/**
 * B3: from an order's last step (the carrier's delivery, CLOSED) to its trace being searchable in
 * Jaeger by order_id with that CLOSED step in it — polled every 250 ms, one order at a time.
 * Target: within the collector's decision_wait + 5 s.
 */
export async function b3(opts: { orders: number; decisionWaitS: number }): Promise<BenchResult> {
  const skeleton: number[] = [];
  const detail: number[] = [];
  for (let i = 0; i < opts.orders; i++) {
    const id = await newB2cOrder();
    const placed = await submit(id);
    if (placed.status !== 200) throw new Error(`B3: placing ${id}: ${placed.status}`);
    await manufactureAndDeliver(id);
    const lastStep = Date.now();
    const sinceUs = (lastStep - 1000) * 1000;
    let sawSkeleton: number | undefined;
    for (;;) {
      const spans = (await findOrderTraces('crm', id)).flatMap((t) => t.spans.map((s) => ({ s, t })));
      const closed = spans.some(({ s }) => isSkeleton(s) && tag(s, 'order.status') === 'CLOSED');
      if (closed && sawSkeleton === undefined) sawSkeleton = (Date.now() - lastStep) / 1000;
      // The delivery's own work (its server span and DB calls), kept by the tail sampler.
      const kept = spans.some(({ s, t }) => detailSpans(t).includes(s) && s.startTime >= sinceUs);
      if (kept) break;
      if (Date.now() - lastStep > 120_000) throw new Error(`B3: order ${id}'s last step not in Jaeger 120 s after it (a healthy order is kept only at the baseline share: run the collector with OTELCOL_BASELINE_PERCENT=100)`);
      await sleep(250);
    }
    skeleton.push(sawSkeleton ?? (Date.now() - lastStep) / 1000);
    detail.push((Date.now() - lastStep) / 1000);
  }
  const latencies = detail;
  const worst = Math.max(...latencies);
  return {
    id: 'B3',
    title: 'Last step → trace searchable by order_id',
    target: `≤ decision_wait + 5 s = ${opts.decisionWaitS + 5} s`,
    met: worst <= opts.decisionWaitS + 5,
    rows: [
      ['the step in the order\'s skeleton (s)', spread(skeleton, 1)],
      ['the step\'s detail, kept by the tail sampler (s)', spread(detail, 1)],
      ['collector decision_wait', `${opts.decisionWaitS} s`],
    ],
    notes:
      'One B2C order at a time through the public API; the clock starts when the carrier\'s delivery is answered ' +
      '(CLOSED); the skeleton figure stops when Jaeger\'s search by order_id returns the CLOSED transition, the detail figure when it returns the delivery\'s own spans, decided by the tail sampler (polled every 250 ms). The target applies to the detail.',
  };
}
