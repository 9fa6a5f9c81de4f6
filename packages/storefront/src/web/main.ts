import { action, inAction, setOrder } from './telemetry.js';

/** The storefront: one customer, one order at a time, through the shop's public API (same origin). */
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const MATERIALS = ['PLA', 'PETG', 'ABS', 'RESIN', 'NYLON'];

interface OrderView {
  order_id: string;
  status: string;
  price_cents: number | null;
  /** The order's capability: in the creation's answer only. */
  order_token?: string;
}

class ApiError extends Error {}

async function api<T>(method: string, path: string, body?: unknown | FormData): Promise<T> {
  // The order's token goes with every call about the order (the shop wants it); never in a URL,
  // which would put it in the spans and the logs.
  const auth: Record<string, string> = orderToken ? { authorization: `Bearer ${orderToken}` } : {};
  const init: RequestInit =
    body instanceof FormData
      ? { method, body, headers: auth }
      : {
          method,
          headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? null : JSON.stringify(body),
        };
  // The demo's "fails only in the browser": the page gives up on the call at once (the shop still
  // answers it), as a flaky network or a too-short client timeout would.
  if ((await faults).abortCalls) init.signal = AbortSignal.timeout(1);
  const res = await inAction(() => fetch(path, init));
  const json = (await res.json().catch(() => ({}))) as T & { message?: string };
  if (!res.ok) throw new ApiError(json.message ?? `${method} ${path}: ${res.status}`);
  return json;
}

let orderId: string | undefined;
/**
 * The order's token, in this page's memory only: the demo's one order per visit needs no more, and
 * nothing left in the browser's storage can be read back by a later script or visitor.
 */
let orderToken: string | undefined;
/**
 * Client-side faults the shop switches on for the demo (PUT /admin/faults, `storefront`), read once
 * as the page loads. Awaited where they apply, so that they hold from the first click, however
 * fast it comes.
 */
const faults: Promise<{ brokenButton?: boolean; abortCalls?: boolean }> = fetch('/storefront/faults')
  .then((r) => (r.ok ? r.json() : {}))
  .catch(() => ({}));

const say = (text: string) => void ($('message').textContent = text);
const show = (id: string) => void ($(id).hidden = false);

function render(order: OrderView): void {
  $('order-id').textContent = order.order_id;
  $('order-status').textContent = order.status;
  $('order-price').textContent = order.price_cents === null ? '—' : `${(order.price_cents / 100).toFixed(2)} €`;
}

/** Wires a control to what it does: a traced action, its failure shown to the customer. */
function on(id: string, event: 'click' | 'submit', name: string, work: () => Promise<void>): void {
  $(id).addEventListener(event, (ev) => {
    ev.preventDefault();
    say('');
    action(name, work).catch((err: Error) => say(err instanceof ApiError ? err.message : 'Something went wrong.'));
  });
}

on('start-order', 'click', 'start-order', async () => {
  // A pseudonymous customer per session: the demo has no accounts, and no personal data leaves.
  const order = await api<OrderView>('POST', '/orders', { user_id: `web-${crypto.randomUUID().slice(0, 8)}` });
  orderId = order.order_id;
  orderToken = order.order_token;
  setOrder(orderId);
  render(order);
  $('start-order').setAttribute('disabled', '');
  show('model');
  show('status');
});

on('upload-form', 'submit', 'upload-model', async () => {
  const file = $<HTMLInputElement>('model-file').files?.[0];
  if (!file) throw new ApiError('Choose an STL file first.');
  const form = new FormData();
  form.append('model', file);
  render(await api<OrderView>('PUT', `/orders/${orderId}/model`, form));
  show('place');
});

on('box-form', 'submit', 'build-box', async () => {
  const size = ['box-x', 'box-y', 'box-z'].map((id) => Number($<HTMLInputElement>(id).value));
  render(await api<OrderView>('PUT', `/orders/${orderId}/model/constructor`, { shape: 'box', size_mm: size }));
  show('place');
});

on('place-form', 'submit', 'place-order', async () => {
  if ((await faults).brokenButton) {
    // The demo's broken button: a bug in the page, invisible to the backend (nothing is sent).
    const summary = undefined as unknown as { quantity: number };
    void summary.quantity;
  }
  const quantity = Number($<HTMLInputElement>('quantity').value);
  const material = $<HTMLSelectElement>('material').value;
  render(await api<OrderView>('POST', `/orders/${orderId}/submit`, { quantity, material }));
  $('place-order').setAttribute('disabled', '');
  follow();
});

/** The order's status and the shop's notifications, every 2 s until it is closed. */
function follow(): void {
  const timer = setInterval(() => {
    void (async () => {
      const order = await api<OrderView>('GET', `/orders/${orderId}`);
      render(order);
      const { notifications } = await api<{ notifications: Array<{ event: string }> }>('GET', `/orders/${orderId}/notifications`);
      $('order-news').textContent = notifications.map((n) => n.event).join(', ') || '—';
      if (order.status === 'CLOSED') clearInterval(timer);
    })().catch(() => undefined);
  }, 2000);
}

for (const m of MATERIALS) $<HTMLSelectElement>('material').append(new Option(m, m));
