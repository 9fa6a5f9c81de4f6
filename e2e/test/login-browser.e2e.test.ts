import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, SCREENSHOTS } from './support/browser.js';
import { findOrderTraces } from './support/jaeger.js';
import { JAEGER_LOGIN_URL, passwordOf, REALM_URL, type DemoUser } from './support/login.js';
import { newB2cOrder } from './support/orders.js';
import { eventually } from './support/stack.js';

/**
 * The login as a person meets it, in a real browser (Debian's Chromium driven by Playwright):
 * Jaeger's URL sends them to Keycloak's login page, and back once they signed in; a viewer is
 * refused; signing out ends the session at Keycloak too. Screenshots in .local/screenshots/.
 */
describe('signing in to Jaeger in a browser', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(() => browser?.close());

  /** A request from the page itself (its cookies, its origin), as Jaeger's UI makes them. */
  const inPage = (page: Page, path: string, headers: Record<string, string> = {}) =>
    page.evaluate(
      async ([p, h]) => {
        const r = await fetch(p, { headers: h, redirect: 'manual' });
        return { status: r.status, body: await r.text() };
      },
      [path, headers] as const,
    );

  async function signIn(page: Page, user: DemoUser, t: TestContext): Promise<void> {
    await page.goto(`${JAEGER_LOGIN_URL}/search`);
    await page.waitForURL((u) => u.href.startsWith(`${REALM_URL}/protocol/openid-connect/auth`), { timeout: 30_000 });
    await page.screenshot({ path: resolve(SCREENSHOTS, `login-${user}-keycloak.png`) });
    await page.fill('#username', user);
    await page.fill('#password', passwordOf(user));
    await Promise.all([page.waitForURL((u) => u.href.startsWith(JAEGER_LOGIN_URL), { timeout: 30_000 }), page.click('#kc-login')]);
    t.diagnostic(`${user} signed in, now at ${page.url()}`);
  }

  it('sends an engineer to Keycloak, back to Jaeger, and their session finds an order by order_id', { timeout: 120_000 }, async (t: TestContext) => {
    const orderId = await newB2cOrder();
    const [trace] = await eventually(`order ${orderId} in Jaeger`, 60_000, async () => {
      const found = await findOrderTraces('shop', orderId);
      return found.length === 1 ? found : undefined;
    });
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, 'engineer', t);
    assert.equal(new URL(page.url()).pathname, '/search', 'back where they were going');
    await page.screenshot({ path: resolve(SCREENSHOTS, 'login-engineer-jaeger.png') });

    // The session cookie: Secure, HttpOnly, SameSite=Lax, for this origin only.
    const cookie = (await context.cookies(JAEGER_LOGIN_URL)).find((c) => c.name === '_orderscope_jaeger');
    assert.ok(cookie, 'the session cookie');
    assert.equal(cookie.secure, true);
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Lax');

    // The API, with the browser's session (what Jaeger's UI does).
    const tags = encodeURIComponent(JSON.stringify({ order_id: orderId }));
    const search = await inPage(page, `/api/traces?service=shop&tags=${tags}&lookback=2h`);
    assert.equal(search.status, 200);
    const data = (JSON.parse(search.body) as { data: Array<{ traceID: string }> }).data;
    assert.deepEqual(data.map((d) => d.traceID), [trace!.traceID]);

    // Signing out ends the session here and at Keycloak: the next visit asks for the password again.
    await page.goto(`${JAEGER_LOGIN_URL}/oauth2/sign_out`);
    assert.equal((await context.cookies(JAEGER_LOGIN_URL)).some((c) => c.name === '_orderscope_jaeger'), false, 'cookie gone');
    await page.goto(`${JAEGER_LOGIN_URL}/search`);
    await page.waitForURL((u) => u.href.startsWith(REALM_URL), { timeout: 30_000 });
    assert.ok(await page.isVisible('#password'), 'the login form again, not a silent sign-in');
    await page.screenshot({ path: resolve(SCREENSHOTS, 'login-engineer-signed-out.png') });
    await context.close();
  });

  it('refuses a viewer after they signed in: 403, and no way into the API', { timeout: 60_000 }, async (t: TestContext) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const responses: number[] = [];
    page.on('response', (r) => {
      if (r.url().startsWith(`${JAEGER_LOGIN_URL}/oauth2/callback`)) responses.push(r.status());
    });
    await signIn(page, 'viewer', t);
    assert.deepEqual(responses, [403], 'the callback refuses the viewer');
    assert.match(await page.content(), /403|Forbidden/i);
    await page.screenshot({ path: resolve(SCREENSHOTS, 'login-viewer-refused.png') });
    await page.goto(`${JAEGER_LOGIN_URL}/ping`);
    const api = await inPage(page, '/api/services', { accept: 'application/json' });
    assert.equal(api.status, 401, 'no session was made');
    await context.close();
  });

  it('keeps the wrong password at Keycloak, on its login page', { timeout: 60_000 }, async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${JAEGER_LOGIN_URL}/search`);
    await page.waitForURL((u) => u.href.startsWith(REALM_URL), { timeout: 30_000 });
    await page.fill('#username', 'engineer');
    await page.fill('#password', 'certainly-not-the-password');
    await page.click('#kc-login');
    await page.waitForSelector('#input-error, .kc-feedback-text, [id*="error"]', { timeout: 15_000 });
    assert.ok(page.url().startsWith(REALM_URL), 'still at Keycloak');
    assert.match(await page.content(), /Invalid username or password/);
    await page.screenshot({ path: resolve(SCREENSHOTS, 'login-wrong-password.png') });
    await context.close();
  });
});
