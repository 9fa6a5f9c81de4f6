import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, SCREENSHOTS } from './support/browser.js';
import { findOrderTraces } from './support/jaeger.js';
import { JAEGER_LOGIN_URL, LOGS_LOGIN_URL, passwordOf, REALM_URL, type DemoUser } from './support/login.js';
import { logsQuery } from './support/logs.js';
import { newB2cOrder, submit } from './support/orders.js';
import { eventually, root } from './support/stack.js';

/**
 * The login as a person meets it, in a real browser (Debian's Chromium driven by Playwright):
 * Jaeger's URL sends them to Keycloak's login page, and back once they signed in; a viewer is
 * refused; signing out ends the session at Keycloak too. The same login in front of the log store:
 * Jaeger's "Logs of this order" link takes an engineer through Keycloak to vmui, which shows that
 * order's records; a viewer is refused there too. Screenshots in .local/screenshots/.
 */

/** A login in front of a UI: where a person starts, the prefix of its screenshots, its session cookie. */
interface Door {
  name: string;
  origin: string;
  start: string;
  shots: string;
  cookie: string;
}
const JAEGER: Door = { name: 'Jaeger', origin: JAEGER_LOGIN_URL, start: `${JAEGER_LOGIN_URL}/search`, shots: 'login', cookie: '_orderscope_jaeger' };
const LOGS: Door = { name: 'the log store', origin: LOGS_LOGIN_URL, start: `${LOGS_LOGIN_URL}/`, shots: 'logs', cookie: '_orderscope_victorialogs' };

/** Jaeger UI's "Logs of this order" (jaeger/ui-config.json), filled in as the UI fills it. */
function logsOfThisOrder(orderId: string): string {
  const { linkPatterns } = JSON.parse(readFileSync(resolve(root, 'jaeger/ui-config.json'), 'utf8')) as { linkPatterns: Array<{ key?: string; url: string; text: string }> };
  const pattern = linkPatterns.find((p) => p.key === 'order_id');
  assert.ok(pattern, 'a link pattern on order_id');
  assert.equal(pattern.text, 'Logs of this order');
  return pattern.url.replaceAll('#{order_id}', encodeURIComponent(orderId));
}
/** vmui's query in a URL's fragment (`#/?query=...&g0....`), if any. */
const vmuiQuery = (url: string) => new URLSearchParams(new URL(url).hash.replace(/^#\/?\??/, '')).get('query');

describe('signing in to Jaeger and the log store in a browser', () => {
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

  /** From `start` behind `door`'s login to Keycloak's password form, signed in, and back at the door. */
  async function signIn(page: Page, user: DemoUser, t: TestContext, door: Door = JAEGER, start = door.start): Promise<void> {
    await page.goto(start);
    await page.waitForURL((u) => u.href.startsWith(`${REALM_URL}/protocol/openid-connect/auth`), { timeout: 30_000 });
    // Keycloak's form, or its error page (e.g. "Invalid parameter: redirect_uri": the realm in its
    // database does not know this login's callback): say which, not a timeout on #username.
    await page.waitForSelector('#username, body[data-page-id="login-error"]', { timeout: 30_000 });
    await page.screenshot({ path: resolve(SCREENSHOTS, `${door.shots}-${user}-keycloak.png`) });
    if (!(await page.isVisible('#username'))) {
      assert.fail(`no login form at Keycloak for ${door.name}: ${(await page.innerText('body')).replace(/\s+/g, ' ').trim()}\n${page.url()}`);
    }
    await page.fill('#username', user);
    await page.fill('#password', passwordOf(user));
    await Promise.all([page.waitForURL((u) => u.href.startsWith(door.origin), { timeout: 30_000 }), page.click('#kc-login')]);
    t.diagnostic(`${user} signed in, now at ${page.url()}`);
  }

  /** The session cookie: Secure, HttpOnly, SameSite=Lax, for this origin only. */
  async function assertSessionCookie(context: BrowserContext, door: Door): Promise<void> {
    const cookie = (await context.cookies(door.origin)).find((c) => c.name === door.cookie);
    assert.ok(cookie, `the session cookie ${door.cookie}`);
    assert.equal(cookie.secure, true);
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Lax');
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

    await assertSessionCookie(context, JAEGER);

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

  it('opens "Logs of this order" for an engineer: Keycloak\'s page, back to vmui, and the order\'s records in its rows', { timeout: 180_000 }, async (t: TestContext) => {
    // A real order with records in the store, from more than one service.
    const orderId = await newB2cOrder();
    const submitted = await submit(orderId);
    assert.equal(submitted.status, 200, JSON.stringify(submitted.body));
    const link = logsOfThisOrder(orderId);
    const query = vmuiQuery(link) ?? assert.fail(`no query in ${link}`);
    assert.ok(query.includes(orderId), link);
    const stored = await eventually(`records of order ${orderId} in the store`, 60_000, async () => {
      const r = await logsQuery(query);
      return new Set(r.map((x) => x['service.name'])).size > 1 ? r : undefined;
    }, 1000);
    t.diagnostic(`${stored.length} records in the store for ${query}`);

    // The link, as a person clicks it in Jaeger: the log store's login sends them to Keycloak.
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const first = await context.newPage();
    await signIn(first, 'engineer', t, LOGS, link);
    assert.equal(new URL(first.url()).pathname, '/select/vmui/', 'back at vmui');
    await assertSessionCookie(context, LOGS);
    // The fragment (#/?query=...) is the browser's alone: the login's redirect to Keycloak keeps it
    // (a Location without one inherits it), but Keycloak's password form posts to its own URL, and
    // the redirects from there back to vmui carry no fragment: vmui opens with its default query.
    // A person then follows the link again, now with the session (a new tab, as Jaeger opens links):
    // no second login, and this time vmui gets the query.
    const landed = vmuiQuery(first.url());
    t.diagnostic(landed === query ? 'the query survived the login' : `the query was lost across the login (landed on ${first.url()}): opening the link again`);
    const page = landed === query ? first : await context.newPage();
    if (page !== first) {
      await page.goto(link);
      assert.equal(new URL(page.url()).origin, LOGS_LOGIN_URL, 'no second trip to Keycloak');
    }
    assert.equal(await page.inputValue('.vm-query-editor textarea'), query, "vmui's query editor holds the link's query");

    // vmui's rows (the Group view): one per record, at least those the store had a moment ago.
    const rows = page.locator('.vm-group-logs-row');
    await rows.first().waitFor({ timeout: 30_000 });
    const n = await rows.count();
    assert.ok(n > 0, 'rows');
    assert.ok(n >= stored.length, `${n} rows, ${stored.length} records in the store`);
    const total = /Total logs returned:\s*(\d+)/.exec(await page.innerText('.vm-query-page-body'));
    assert.equal(Number(total?.[1]), n, '"Total logs returned" counts the rows');
    // Each row opened, as a person opens it: its fields, order_id the order's id.
    const orderIdOf = (i: number) =>
      rows
        .nth(i)
        .locator('.vm-group-logs-row-fields-item', { has: page.locator('.vm-group-logs-row-fields-item__key', { hasText: /^order_id$/ }) })
        .locator('.vm-group-logs-row-fields-item__value');
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      await rows.nth(i).locator('.vm-group-logs-row-content').click();
      ids.push((await orderIdOf(i).innerText({ timeout: 10_000 })).trim());
      if (i === 0) {
        await orderIdOf(0).scrollIntoViewIfNeeded();
        await page.screenshot({ path: resolve(SCREENSHOTS, 'logs-vmui-engineer.png') });
      }
    }
    assert.deepEqual(ids, Array(n).fill(orderId), "every row is the order's");
    t.diagnostic(`${n} rows in vmui for order ${orderId}`);
    await context.close();
  });

  for (const { door, shot, api } of [
    { door: JAEGER, shot: 'login-viewer-refused.png', api: '/api/services' },
    { door: LOGS, shot: 'logs-viewer-403.png', api: '/select/logsql/query?query=*&limit=1' },
  ]) {
    it(`refuses a viewer at ${door.name} after they signed in: 403, and no way into the API`, { timeout: 60_000 }, async (t: TestContext) => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const responses: number[] = [];
      page.on('response', (r) => {
        if (r.url().startsWith(`${door.origin}/oauth2/callback`)) responses.push(r.status());
      });
      await signIn(page, 'viewer', t, door);
      assert.deepEqual(responses, [403], 'the callback refuses the viewer');
      assert.match(await page.content(), /403|Forbidden/i);
      await page.screenshot({ path: resolve(SCREENSHOTS, shot) });
      await page.goto(`${door.origin}/ping`);
      const res = await inPage(page, api, { accept: 'application/json' });
      assert.equal(res.status, 401, 'no session was made');
      await context.close();
    });
  }

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
