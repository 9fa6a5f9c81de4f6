import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import jmespath from 'jmespath';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './support/browser.js';
import { claimsOf, DEMO_USERS, humanFetch, passwordOf, REALM_URL, type DemoUser } from './support/login.js';
import { root, secret } from './support/stack.js';

/**
 * Grafana cannot run here, so its sign-in is tested as configuration against the real Keycloak:
 * grafana/grafana.ini names the realm's own endpoints, PKCE, strict roles and no other way in, and
 * its role expression, evaluated as Grafana does (JMESPath) on the ID token Keycloak issues to the
 * grafana client for each demo user — got through that client's real code flow, in a browser.
 */
function ini(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const s = /^\[(.+)\]$/.exec(line);
    if (s) {
      section = s[1]!;
      out[section] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    out[section]![line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}

const conf = ini(readFileSync(resolve(root, 'grafana/grafana.ini'), 'utf8'));
const oauth = conf['auth.generic_oauth']!;
/** Compose's names for Keycloak (published port for browsers, service name for Grafana), as the native realm. */
const native = (url: string) => url.replace('https://keycloak:8443', 'https://localhost:8443');

const EXPECTED: Record<DemoUser, string> = { admin: 'GrafanaAdmin', engineer: 'Editor', viewer: 'Viewer', outsider: '' };

describe("Grafana's sign-in, as configuration against the real Keycloak", () => {
  it('allows Keycloak only: no login form, no basic auth, no anonymous access, strict roles, PKCE, TLS checked', () => {
    assert.equal(conf.auth!.disable_login_form, 'true');
    assert.equal(conf['auth.basic']!.enabled, 'false');
    assert.equal(conf['auth.anonymous']!.enabled, 'false');
    assert.equal(oauth.enabled, 'true');
    assert.equal(oauth.use_pkce, 'true');
    assert.equal(oauth.role_attribute_strict, 'true');
    assert.equal(oauth.tls_skip_verify_insecure, 'false');
    assert.equal(oauth.tls_client_ca, '/etc/grafana/certs/ca.crt');
    assert.match(oauth.client_secret!, /^\$__file\{\/secrets\/oidc_client_secret_grafana\}$/, 'the secret from a file');
  });

  it("names the realm's own endpoints (its discovery document)", async () => {
    const d = (await (await humanFetch(`${REALM_URL}/.well-known/openid-configuration`)).json()) as Record<string, string>;
    assert.equal(native(oauth.auth_url!), d.authorization_endpoint);
    assert.equal(native(oauth.token_url!), d.token_endpoint);
    assert.equal(native(oauth.api_url!), d.userinfo_endpoint);
  });

  describe('the role expression on the tokens of the grafana client', () => {
    let browser: Browser;
    before(async () => {
      browser = await launchBrowser();
    });
    after(() => browser?.close());

    /** The grafana client's code flow (PKCE), as Grafana runs it; the browser stops at Grafana's callback. */
    async function grafanaCode(user: DemoUser): Promise<{ code: string; verifier: string; redirect: string }> {
      const verifier = randomBytes(32).toString('base64url');
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      const redirect = `${conf.server!.root_url}login/generic_oauth`;
      const auth = new URL(native(oauth.auth_url!));
      Object.entries({ client_id: 'grafana', response_type: 'code', scope: oauth.scopes!, redirect_uri: redirect, state: 's1', code_challenge: challenge, code_challenge_method: 'S256' }).forEach(([k, v]) =>
        auth.searchParams.set(k, v),
      );
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(auth.href);
      await page.fill('#username', user);
      await page.fill('#password', passwordOf(user));
      // Grafana does not run here: the browser's request to its callback carries the code.
      const [callback] = await Promise.all([page.waitForRequest((r) => r.url().startsWith(redirect)), page.click('#kc-login')]);
      const code = new URL(callback.url()).searchParams.get('code');
      await context.close();
      assert.ok(code, `a code for ${user}`);
      return { code, verifier, redirect };
    }

    async function exchange(c: { code: string; redirect: string; verifier?: string }) {
      const res = await humanFetch(native(oauth.token_url!), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: c.code,
          redirect_uri: c.redirect,
          client_id: 'grafana',
          client_secret: secret('oidc_client_secret_grafana'),
          ...(c.verifier ? { code_verifier: c.verifier } : {}),
        }).toString(),
      });
      return { status: res.status, body: (await res.json()) as { id_token?: string; error?: string; error_description?: string } };
    }

    async function grafanaIdToken(user: DemoUser): Promise<string> {
      const { status, body } = await exchange(await grafanaCode(user));
      assert.equal(status, 200, JSON.stringify(body));
      return body.id_token!;
    }

    for (const user of DEMO_USERS) {
      it(`gives ${user} ${EXPECTED[user] || 'no role (refused: strict)'}`, { timeout: 60_000 }, async () => {
        const claims = claimsOf(await grafanaIdToken(user));
        assert.equal(claims.aud, 'grafana');
        assert.equal(jmespath.search(claims, oauth.role_attribute_path!), EXPECTED[user]);
      });
    }

    it('refuses the code exchange without the PKCE verifier, or with another', { timeout: 60_000 }, async () => {
      const without = await exchange({ ...(await grafanaCode('engineer')), verifier: undefined });
      assert.equal(without.status, 400);
      assert.equal(without.body.error, 'invalid_grant');
      const other = await exchange({ ...(await grafanaCode('engineer')), verifier: randomBytes(32).toString('base64url') });
      assert.equal(other.status, 400);
      assert.equal(other.body.error, 'invalid_grant');
    });
  });
});
