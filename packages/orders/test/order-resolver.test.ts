import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Request } from 'express';
import { pathTemplate } from '@orderscope/platform';
import { orderResolver } from '../src/index.js';

const ID = '3f0c1b2a-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const STORED = { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01` };

function request(path: string, opts: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Request {
  const headers = Object.fromEntries(Object.entries(opts.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return { path, method: opts.method ?? 'GET', body: opts.body, headers, get: (name: string) => headers[name.toLowerCase()] } as unknown as Request;
}

describe('which order a request from outside continues', () => {
  const lookedUp: string[] = [];
  const resolve = orderResolver({
    byId: async (id) => {
      lookedUp.push(id);
      return STORED;
    },
    byIdempotencyKey: async (key) => (key === 'known-key-1' ? { orderId: ID, trace: STORED } : null),
  });

  it('finds the order by the id in the path, or by order_id in the body', async () => {
    assert.deepEqual(await resolve(request(`/orders/${ID}/submit`, { method: 'POST' })), { orderId: ID, trace: STORED });
    assert.deepEqual(await resolve(request('/carrier/deliveries', { method: 'POST', body: { order_id: ID } })), { orderId: ID, trace: STORED });
    assert.equal(await resolve(request('/orders', { method: 'POST', body: { order_id: 'not-a-uuid' } })), null);
  });

  it('finds a retried creation by its Idempotency-Key, and a new one nowhere', async () => {
    assert.deepEqual(await resolve(request('/orders', { method: 'POST', headers: { 'idempotency-key': 'known-key-1' } })), { orderId: ID, trace: STORED });
    assert.equal(await resolve(request('/orders', { method: 'POST', headers: { 'idempotency-key': 'new-key-22' } })), null);
  });

  it('never resolves an internal API called without the token, whatever its path says', async () => {
    lookedUp.length = 0;
    assert.equal(await resolve(request(`/internal/registry/orders/${ID}/transitions/SUBMITTED`, { method: 'PUT' })), null);
    assert.deepEqual(lookedUp, []);
  });

  it('requires the token where the service says so (the CRM)', async () => {
    const guarded = orderResolver({ byId: async () => STORED, requireToken: 'the-internal-token-123' });
    const path = `/registry/orders/${ID}`;
    assert.equal(await guarded(request(path)), null);
    assert.equal(await guarded(request(path, { headers: { authorization: 'Bearer wrong-token-000000' } })), null);
    assert.deepEqual(await guarded(request(path, { headers: { authorization: 'Bearer the-internal-token-123' } })), { orderId: ID, trace: STORED });
  });

  it('names client spans by path template, so span metrics stay few', () => {
    assert.equal(pathTemplate(`/internal/registry/orders/${ID}/transitions/SHIPPED?x=1`), '/internal/registry/orders/:id/transitions/SHIPPED');
  });
});
