import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accessRecord, jaegerSubject, userOf } from '../src/access/access-record.js';

const ORDER = '3f0c1b2a-4d5e-4f60-8a7b-9c0d1e2f3a4b';

describe('the access record', () => {
  const subjects = [
    { name: 'a trace read', url: '/api/traces/00CA92918CE9543F7D006DE28ECE66FE', want: { trace_id: '00ca92918ce9543f7d006de28ece66fe' } },
    { name: 'a search by order_id', url: `/api/traces?service=crm&tags=${encodeURIComponent(JSON.stringify({ order_id: ORDER }))}`, want: { order_id: ORDER } },
    { name: 'a search by order.id', url: `/api/traces?service=shop&tags=${encodeURIComponent(JSON.stringify({ 'order.id': ORDER }))}`, want: { order_id: ORDER } },
    { name: 'tags that are not JSON', url: '/api/traces?service=shop&tags=%7Bnope', want: {} },
    { name: 'the services list', url: '/api/services', want: {} },
  ];
  for (const c of subjects) {
    it(`names what a Jaeger request asked for: ${c.name}`, () => {
      assert.deepEqual(jaegerSubject(new URL(c.url, 'http://x')), c.want);
    });
  }

  it('takes the identity from the proxy’s headers, and nothing too long to be one', () => {
    const user = userOf({
      'x-forwarded-user': 'f3a1-sub',
      'x-forwarded-preferred-username': 'engineer',
      'x-forwarded-email': 'engineer@orderscope.test',
      'x-forwarded-groups': 'engineers, admins',
    });
    assert.deepEqual(user, { sub: 'f3a1-sub', username: 'engineer', email: 'engineer@orderscope.test', groups: ['engineers', 'admins'] });
    assert.equal(userOf({ 'x-forwarded-user': 'x'.repeat(600) }).sub, null);
  });

  it('keeps no token, cookie or header beyond the identity, and stays one JSON line whatever the URL holds', () => {
    const hostile = `/api/traces?service=a"}\n{"user":"forged&x=${'%0A'}`;
    const record = accessRecord({
      component: 'jaeger',
      method: 'GET',
      rawUrl: hostile,
      headers: {
        authorization: 'Bearer eyJsecret',
        cookie: '_orderscope_jaeger=secret',
        'user-agent': '"}{"user":"forged',
        'x-forwarded-user': 'sub-1',
        'x-request-id': 'r-1',
        'x-forwarded-for': '127.0.0.1, 10.0.0.1',
      },
      status: 200,
      startedAt: Date.parse('2026-12-01T17:00:00Z'),
      endedAt: Date.parse('2026-12-01T17:00:00Z') + 12.34,
    });
    const line = JSON.stringify(record);
    assert.ok(!line.includes('eyJsecret') && !line.includes('secret'), 'no token nor cookie');
    assert.ok(!line.includes('\n'), 'one line');
    assert.equal((JSON.parse(line) as { user: { sub: string } }).user.sub, 'sub-1', 'the identity is the proxy’s, not the URL’s');
    assert.equal(record.duration_ms, 12.3);
    assert.equal(record.client, '127.0.0.1');
    assert.equal(record.request_id, 'r-1');
  });
});
