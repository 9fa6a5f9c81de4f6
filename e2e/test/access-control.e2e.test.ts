import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it, type TestContext } from 'node:test';
import { SignJWT, generateKeyPair } from 'jose';
import { findOrderTraces } from './support/jaeger.js';
import { accessTokenOf, claimsOf, DEMO_USERS, humanFetch, JAEGER_LOGIN_URL, KEYCLOAK_URL, REALM_URL, tokensOf, type DemoUser } from './support/login.js';
import { newB2cOrder } from './support/orders.js';
import { caPem } from './support/secure.js';
import { ALERTMANAGER_URL, eventually, JAEGER_URL, PROMETHEUS_URL, root } from './support/stack.js';

/**
 * Who may read the traces: Keycloak (the real one, production mode) issues the tokens, oauth2-proxy
 * (the real one) admits engineers and admins to Jaeger, the access gateway records every request.
 * The browser's login flow is in login-browser.e2e.test.ts.
 */
const GROUPS: Record<DemoUser, string[] | undefined> = { viewer: ['viewers'], engineer: ['engineers'], admin: ['admins'], outsider: undefined };
const accessLogDir = resolve(process.env.ORDERSCOPE_STATE ?? resolve(root, '.local'), 'logs/access');

/** Every record of a component's access log (all its rolled files), oldest first. */
function accessRecords(component = 'jaeger'): Array<Record<string, any>> {
  const files = readdirSync(accessLogDir).filter((f) => new RegExp(`^${component}-access\\.\\d+\\.jsonl$`).test(f)).sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
  return files.flatMap((f) => readFileSync(resolve(accessLogDir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>));
}

const viaLogin = (path: string, token?: string, headers: Record<string, string> = {}) =>
  humanFetch(`${JAEGER_LOGIN_URL}${path}`, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });

describe('the identity provider (Keycloak)', () => {
  it('publishes the orderscope realm over HTTPS only, with its own certificate chain (the stack\'s CA)', async () => {
    const res = await humanFetch(`${REALM_URL}/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    const d = (await res.json()) as Record<string, unknown>;
    assert.equal(d.issuer, REALM_URL);
    assert.ok((d.code_challenge_methods_supported as string[]).includes('S256'));
    const plain = await fetch(`${KEYCLOAK_URL.replace('https://', 'http://')}/realms/orderscope`).then((r) => `status ${r.status}`, (e: Error) => `refused ${e.message}`);
    assert.ok(!plain.startsWith('status 2'), `plain HTTP must not serve the realm: ${plain}`);
  });

  for (const user of DEMO_USERS) {
    it(`issues ${user} a 60-second token with ${GROUPS[user]?.join(', ') ?? 'no groups'}, for the login's audience`, async () => {
      const claims = claimsOf(await accessTokenOf(user));
      assert.equal(claims.iss, REALM_URL);
      assert.equal(claims.preferred_username, user);
      assert.deepEqual(claims.groups, GROUPS[user]);
      assert.ok(([] as unknown[]).concat(claims.aud).includes('oauth2-proxy'), `aud ${JSON.stringify(claims.aud)}`);
      assert.equal(Number(claims.exp) - Number(claims.iat), 60);
    });
  }

  it('refuses a wrong password, saying only that the credentials are invalid', async () => {
    const { status, body } = await tokensOf('engineer', 'not-the-password-at-all');
    assert.equal(status, 400);
    assert.equal(body.error, 'invalid_grant');
    assert.equal(body.error_description, 'Invalid user credentials');
  });
});

describe('Jaeger behind the login (oauth2-proxy → access gateway → Jaeger over mTLS)', () => {
  it('sends a browser without a session to Keycloak\'s login (PKCE), answers an API client 401, and never data', async () => {
    const page = await viaLogin('/search', undefined, { accept: 'text/html' });
    assert.equal(page.status, 302);
    const to = new URL(page.headers.get('location') ?? '');
    assert.equal(`${to.origin}${to.pathname}`, `${REALM_URL}/protocol/openid-connect/auth`);
    assert.equal(to.searchParams.get('client_id'), 'oauth2-proxy');
    assert.equal(to.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(to.searchParams.get('redirect_uri'), `${JAEGER_LOGIN_URL}/oauth2/callback`);
    const api = await viaLogin('/api/services', undefined, { accept: 'application/json' });
    assert.equal(api.status, 401);
    assert.doesNotMatch(await api.text(), /"data"/);
  });

  it('refuses Jaeger\'s own port to a client without a certificate of the stack\'s CA', async () => {
    const r = await humanFetch(`${JAEGER_URL}/api/services`).then((x) => `status ${x.status}`, (e: Error & { cause?: { code?: string } }) => `refused ${e.cause?.code ?? e.message}`);
    assert.match(r, /^refused/, r);
  });

  it('lets an engineer and an admin find an order\'s trace by order_id, and read it; the access log names who and what', { timeout: 120_000 }, async (t: TestContext) => {
    const orderId = await newB2cOrder();
    const [direct] = await eventually(`order ${orderId} in Jaeger`, 60_000, async () => {
      const found = await findOrderTraces('shop', orderId);
      return found.length === 1 ? found : undefined;
    });
    const tags = encodeURIComponent(JSON.stringify({ order_id: orderId }));
    for (const user of ['engineer', 'admin'] as const) {
      const token = await accessTokenOf(user);
      const search = await viaLogin(`/api/traces?service=shop&tags=${tags}&lookback=2h`, token);
      assert.equal(search.status, 200, `${user} searches`);
      const found = ((await search.json()) as { data: Array<{ traceID: string }> }).data;
      assert.deepEqual(found.map((x) => x.traceID), [direct!.traceID], `${user} finds the order's one trace`);
      assert.equal((await viaLogin(`/api/traces/${direct!.traceID}`, token)).status, 200, `${user} reads it`);
    }
    const records = await eventually('the engineer\'s search and read in the access log', 10_000, async () => {
      const all = accessRecords();
      const search = all.find((r) => r.user?.username === 'engineer' && r.order_id === orderId);
      const read = all.find((r) => r.user?.username === 'engineer' && r.trace_id === direct!.traceID);
      return search && read ? { search, read } : undefined;
    });
    assert.equal(records.search.status, 200);
    assert.equal(records.search.method, 'GET');
    assert.match(records.search.user.sub, /^[0-9a-f-]{36}$/, 'the subject, as Keycloak names the user');
    assert.deepEqual(records.search.user.groups.filter((g: string) => !g.startsWith('role:')), ['engineers']);
    assert.equal(typeof records.search.duration_ms, 'number');
    t.diagnostic(`access record: ${JSON.stringify(records.search)}`);
    const raw = readdirSync(accessLogDir).map((f) => readFileSync(resolve(accessLogDir, f), 'utf8')).join('');
    assert.doesNotMatch(raw, /eyJ[\w-]+\.eyJ/, 'no token in the access log');
    assert.doesNotMatch(raw, /_orderscope_jaeger=/, 'no cookie in the access log');
  });

  it('trusts the login\'s identity, not headers a client sends', async () => {
    const token = await accessTokenOf('engineer');
    const marker = `/api/services?probe=${Date.now()}`;
    assert.equal((await viaLogin(marker, token, { 'x-forwarded-preferred-username': 'ceo', 'x-forwarded-groups': 'admins' })).status, 200);
    const record = await eventually('the probe in the access log', 10_000, async () => accessRecords().find((r) => r.path === marker));
    assert.equal(record.user.username, 'engineer');
    assert.ok(!record.user.groups.includes('admins'), JSON.stringify(record.user));
  });

  const refusals: Array<{ name: string; token: () => Promise<string> }> = [
    { name: 'a viewer (dashboards only)', token: () => accessTokenOf('viewer') },
    { name: 'a user in no group', token: () => accessTokenOf('outsider') },
    { name: 'a token that is not one', token: async () => 'garbage.not.jwt' },
    {
      name: "a token from another issuer (same claims, someone else's key)",
      token: async () => {
        const { privateKey } = await generateKeyPair('RS256');
        return new SignJWT({ preferred_username: 'engineer', groups: ['engineers'], email: 'engineer@orderscope.test', email_verified: true })
          .setProtectedHeader({ alg: 'RS256', kid: 'not-keycloaks' })
          .setIssuer('https://evil.example/realms/orderscope')
          .setAudience('oauth2-proxy')
          .setSubject('f00')
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(privateKey);
      },
    },
    {
      name: "Keycloak's token with its claims edited (groups: admins)",
      token: async () => {
        const [h, p, s] = (await accessTokenOf('viewer')).split('.');
        const claims = { ...JSON.parse(Buffer.from(p!, 'base64url').toString()), groups: ['admins'] };
        return `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
      },
    },
  ];
  for (const r of refusals) {
    it(`refuses ${r.name}: 403, no data`, async () => {
      const res = await viaLogin('/api/services', await r.token());
      assert.equal(res.status, 403);
      assert.doesNotMatch(await res.text(), /"data"/);
    });
  }

  it('refuses an engineer\'s token once it has expired (60 s)', { timeout: 120_000 }, async () => {
    const token = await accessTokenOf('engineer');
    assert.equal((await viaLogin('/api/services', token)).status, 200);
    const exp = Number(claimsOf(token).exp) * 1000;
    await sleep(Math.max(0, exp - Date.now()) + 2000);
    assert.equal((await viaLogin('/api/services', token)).status, 403);
  });
});

describe('Prometheus and Alertmanager behind the same login', () => {
  const logins = [
    { component: 'prometheus', login: 'https://localhost:9090', direct: PROMETHEUS_URL, api: '/api/v1/query?query=up', data: /"status":"success"/ },
    { component: 'alertmanager', login: 'https://localhost:9093', direct: ALERTMANAGER_URL, api: '/api/v2/status', data: /"versionInfo"/ },
  ];
  for (const l of logins) {
    it(`${l.component}: no session, a redirect or 401; a viewer 403; an engineer the data; its own port refuses a client without a certificate; each request recorded`, async () => {
      const page = await humanFetch(`${l.login}/`, { headers: { accept: 'text/html' } });
      assert.equal(page.status, 302);
      assert.ok((page.headers.get('location') ?? '').startsWith(`${REALM_URL}/protocol/openid-connect/auth`));
      assert.equal((await humanFetch(`${l.login}${l.api}`, { headers: { accept: 'application/json' } })).status, 401);
      assert.equal((await humanFetch(`${l.login}${l.api}`, { headers: { authorization: `Bearer ${await accessTokenOf('viewer')}` } })).status, 403);
      const ok = await humanFetch(`${l.login}${l.api}`, { headers: { authorization: `Bearer ${await accessTokenOf('engineer')}` } });
      assert.equal(ok.status, 200);
      assert.match(await ok.text(), l.data);
      const direct = await humanFetch(`${l.direct}${l.api}`).then((x) => `status ${x.status}`, (e: Error & { cause?: { code?: string } }) => `refused ${e.cause?.code ?? e.message}`);
      assert.match(direct, /^refused/, direct);
      const record = await eventually(`the engineer's request in ${l.component}'s access log`, 10_000, async () =>
        accessRecords(l.component).find((r) => r.user?.username === 'engineer' && r.path === l.api),
      );
      assert.equal(record.component, l.component);
      assert.equal(record.status, 200);
    });
  }
});

describe('brute-force protection', () => {
  it('locks a user out after 5 wrong passwords: the right one is refused too, for a while', { timeout: 180_000 }, async () => {
    assert.equal((await tokensOf('outsider')).status, 200, 'the right password, before');
    for (let i = 0; i < 5; i++) assert.equal((await tokensOf('outsider', `wrong-${i}-xxxxxxxxxxxx`)).status, 400);
    const locked = await tokensOf('outsider');
    assert.equal(locked.status, 400, 'the right password, while locked out');
    assert.equal(locked.body.error, 'invalid_grant');
    // Temporary (waitIncrementSeconds 60): the user is let in again, not locked for good.
    const started = Date.now();
    await eventually('the lockout to end', 120_000, async () => ((await tokensOf('outsider')).status === 200 ? true : undefined), 5000);
    assert.ok(Date.now() - started >= 30_000, 'not at once');
  });
});

