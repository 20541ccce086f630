// The example server's page in headless Chromium, clicked through as a person would:
// a guest fills a cart and writes a bio, signs up, reloads, signs out; a second guest fills
// another cart, fails to sign up with the same email, then signs in, and the two carts are one.
//
//   ANONAUTH_E2E_SERVER=reference ANONAUTH_WEB_DIR=<built page> node --test browser.test.mjs
//   ANONAUTH_SERVER_BIN=<example_server> node --test browser.test.mjs
//
// A screenshot of each step goes to ANONAUTH_ARTIFACTS (default: a new temporary directory) as
// NN-step.png. On failure the browser's console, page errors and failed requests are printed.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { startServer } from './support/server.mjs';

const CHROMIUM = process.env.ANONAUTH_CHROMIUM || '/usr/bin/chromium';
const TEST_TIMEOUT_MS = 60_000;
const WAIT_MS = 10_000;       // any single wait: an element, a state, a cart
const GUEST_NAME = /^Guest-[0-9a-z]{8}$/;

async function artifactsDir() {
  const dir = process.env.ANONAUTH_ARTIFACTS;
  if (!dir) return mkdtemp(path.join(tmpdir(), 'anonauth-e2e-browser-'));
  await mkdir(dir, { recursive: true });
  return dir;
}

test('guest cart, sign-up, sign-out, second guest, sign-in: the page follows the session and the carts merge',
  { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const artifacts = await artifactsDir();
    const log = [];   // the browser's side of the story, printed on failure
    let server;
    let browser;
    let page;
    let stepNumber = 0;
    let current = '00-setup';   // the step under way, for the failure screenshot

    try {
      server = await startServer();
      t.diagnostic(`${server.kind} server at ${server.origin}; screenshots in ${artifacts}`);

      // Playwright's launch() runs the browser on a fresh temporary profile, removed on close.
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
          '--disable-background-networking', '--disable-component-update', '--disable-sync'],
        timeout: 15_000,
      });
      const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, deviceScaleFactor: 1 });
      page = await context.newPage();
      page.setDefaultTimeout(WAIT_MS);
      page.setDefaultNavigationTimeout(WAIT_MS);
      page.on('console', (m) => log.push(`console.${m.type()}: ${m.text()}`));
      page.on('pageerror', (e) => log.push(`page error: ${e.stack || e.message}`));
      page.on('requestfailed', (r) => log.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`));
      page.on('response', (r) => {
        if (r.status() >= 400) log.push(`response ${r.status()}: ${r.request().method()} ${r.url()}`);
      });

      // ---------------------------------------------------------------- helpers
      const byId = (id) => page.getByTestId(id, { exact: true });
      const text = async (id) => ((await byId(id).textContent()) ?? '').trim();
      const visible = (id) => byId(id).isVisible();

      const step = async (name, body) => {
        const label = `${String(++stepNumber).padStart(2, '0')}-${name}`;
        current = label;
        await body();
        await page.screenshot({ path: path.join(artifacts, `${label}.png`), fullPage: true });
        t.diagnostic(`step ${label}: ok`);
      };

      // The page marks its state on <main data-testid="app" data-state="...">.
      const waitForState = (state) => page.waitForFunction(
        (s) => document.querySelector('[data-testid="app"]')?.dataset.state === s, state, { timeout: WAIT_MS },
      ).catch(async (e) => {
        const now = await page.getAttribute('[data-testid="app"]', 'data-state').catch(() => '?');
        throw new Error(`the page did not reach state "${state}" (it is "${now}"): ${e.message}`);
      });

      const readCart = () => page.$$eval('[data-testid="cart-item"]', (items) => items.map((li) => ({
        id: li.dataset.id, sku: li.dataset.sku, quantity: Number(li.dataset.quantity),
      })));

      // Waits until the cart shown lists exactly these sku/quantity pairs, in this order.
      const waitForCart = async (expected) => {
        const want = expected.map(([sku, quantity]) => `${sku}x${quantity}`).join(',');
        await page.waitForFunction((w) => [...document.querySelectorAll('[data-testid="cart-item"]')]
          .map((li) => `${li.dataset.sku}x${li.dataset.quantity}`).join(',') === w, want, { timeout: WAIT_MS })
          .catch(async (e) => {
            throw new Error(`cart is ${JSON.stringify(await readCart())}, expected ${want}: ${e.message}`);
          });
        const total = expected.reduce((sum, [, quantity]) => sum + quantity, 0);
        assert.equal(await text('cart-count'), `${total} ${total === 1 ? 'item' : 'items'}`);
        assert.equal(await visible('cart-empty'), expected.length === 0, 'the "empty" note shows only for an empty cart');
        return readCart();
      };

      const addToCart = async (sku, quantity) => {
        await byId(`quantity-${sku}`).selectOption(String(quantity));
        await byId(`add-${sku}`).click();
      };

      // The server's own view of the cart, fetched with the browser's cookie.
      const serverCart = () => page.evaluate(async () => {
        const response = await fetch('/api/cart', { credentials: 'include', headers: { Accept: 'application/json' } });
        return { status: response.status, body: await response.json() };
      });

      const expectSignedOut = async () => {
        await waitForState('signed-out');
        assert.ok(await visible('continue-as-guest'), '"Continue as Guest" is shown');
        assert.equal(await text('continue-as-guest'), 'Continue as Guest');
        assert.ok(await visible('sign-up-form'), 'the sign-up form is shown');
        assert.ok(await visible('sign-in-form'), 'the sign-in form is shown');
        assert.equal(await visible('signed-in-view'), false, 'no profile or cart while signed out');
        assert.equal(await visible('upgrade-prompt'), false);
        assert.equal(await visible('error'), false, `no error shown (${await text('error')})`);
      };

      const expectGuest = async () => {
        await waitForState('guest');
        assert.ok(await visible('guest-badge'), 'the Guest badge is shown');
        assert.equal(await text('guest-badge'), 'Guest');
        assert.ok(await visible('upgrade-prompt'), 'the upgrade prompt is shown');
        assert.match(await text('upgrade-prompt'), /Create an account to save your progress\./);
        assert.ok(await visible('sign-up-form'), 'a guest can sign up (and so link)');
        assert.ok(await visible('sign-in-form'), 'a guest can sign in (and so link)');
        assert.equal(await visible('continue-as-guest'), false);
        const name = await text('user-name');
        assert.match(name, GUEST_NAME);
        assert.match(await text('user-email'), /^temp-[a-z0-9]+@guest\.example\.com$/);
        return name;
      };

      const expectMember = async (account) => {
        await waitForState('member');
        assert.equal(await text('user-name'), account.name);
        assert.equal(await text('user-email'), account.email);
        assert.equal(await visible('guest-badge'), false, 'no Guest badge once signed up');
        assert.equal(await visible('upgrade-prompt'), false, 'no upgrade prompt once signed up');
        assert.equal(await visible('auth-forms'), false, 'no sign-up / sign-in forms for a member');
        assert.ok(await visible('sign-out'));
      };

      const waitForBio = (bio) => page.waitForFunction(
        (b) => document.querySelector('[data-testid="bio-display"]')?.textContent.trim() === b, bio, { timeout: WAIT_MS },
      ).catch(async (e) => {
        throw new Error(`bio shown is ${JSON.stringify(await text('bio-display'))}, expected ${JSON.stringify(bio)}: ${e.message}`);
      });

      const account = {
        name: 'Ada Lovelace',
        email: `ada-${randomBytes(4).toString('hex')}@example.com`,
        password: 'correct horse battery staple',
      };
      const bio = 'Espresso, no sugar.';
      let firstGuest;
      let linkedCart;

      // ---------------------------------------------------------------- the story
      await step('signed-out', async () => {
        const response = await page.goto(`${server.origin}/`);
        assert.equal(response?.status(), 200);
        assert.equal(await page.title(), 'Guest checkout · anonauth');
        await expectSignedOut();
      });

      await step('guest', async () => {
        await byId('continue-as-guest').click();
        firstGuest = await expectGuest();
        await waitForCart([]);
        assert.equal(await text('bio-display'), 'no bio yet');
      });

      await step('guest-cart', async () => {
        await addToCart('mug', 2);
        await waitForCart([['mug', 2]]);
        await addToCart('coffee-beans', 1);
        await waitForCart([['mug', 2], ['coffee-beans', 1]]);
        const { status, body } = await serverCart();
        assert.equal(status, 200);
        assert.deepEqual(body.items.map(({ sku, quantity }) => [sku, quantity]), [['mug', 2], ['coffee-beans', 1]]);
      });

      await step('guest-bio', async () => {
        await byId('bio-input').fill(`  ${bio}  `);   // the link copies it trimmed
        await byId('bio-save').click();
        await page.waitForFunction(() => document.querySelector('[data-testid="bio-status"]')?.textContent === 'Saved',
          null, { timeout: WAIT_MS });
        await waitForBio(bio);
        assert.equal(await text('user-name'), firstGuest, 'still the same guest');
      });

      await step('sign-up', async () => {
        const guestCart = await readCart();
        await byId('sign-up-name').fill(account.name);
        await byId('sign-up-email').fill(account.email);
        await byId('sign-up-password').fill(account.password);
        await byId('sign-up-submit').click();
        await expectMember(account);
        linkedCart = await waitForCart([['mug', 2], ['coffee-beans', 1]]);
        assert.deepEqual(linkedCart.map((i) => i.id), guestCart.map((i) => i.id), 'the same cart rows, moved');
        await waitForBio(bio);
        assert.equal(await byId('bio-display').textContent(), bio, 'the bio is copied trimmed');
        assert.equal(await visible('error'), false);
      });

      await step('reload', async () => {
        await page.reload();
        await expectMember(account);
        assert.deepEqual(await waitForCart([['mug', 2], ['coffee-beans', 1]]), linkedCart);
        await waitForBio(bio);
        assert.equal(await byId('bio-input').inputValue(), bio);
      });

      await step('sign-out', async () => {
        await byId('sign-out').click();
        await expectSignedOut();
        const { status, body } = await serverCart();
        assert.equal(status, 401);
        assert.deepEqual(body, { message: 'Unauthorized', code: 'UNAUTHORIZED' });
      });

      await step('second-guest', async () => {
        await byId('continue-as-guest').click();
        const secondGuest = await expectGuest();
        assert.notEqual(secondGuest, firstGuest, 'a new guest');
        await waitForCart([]);
        assert.equal(await text('bio-display'), 'no bio yet');
        await addToCart('sticker', 3);
        await waitForCart([['sticker', 3]]);
      });

      await step('sign-up-taken-email', async () => {
        const before = await readCart();
        await byId('sign-up-name').fill('Somebody Else');
        await byId('sign-up-email').fill(account.email);
        await byId('sign-up-password').fill('another password 123');
        await byId('sign-up-submit').click();
        await byId('error').waitFor({ state: 'visible', timeout: WAIT_MS });
        assert.equal(await text('error-code'), 'USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL');
        assert.match(await text('error-message'), /already exists/i);
        // Still the same guest, with its cart, on the page and on the server.
        await expectGuest();
        assert.deepEqual(await readCart(), before);
        const { status, body } = await serverCart();
        assert.equal(status, 200);
        assert.deepEqual(body.items, before.map(({ id, sku, quantity }) => ({ id, sku, quantity })));
      });

      await step('sign-in', async () => {
        const guestCart = await readCart();
        await byId('sign-in-email').fill(account.email);
        await byId('sign-in-password').fill(account.password);
        await byId('sign-in-submit').click();
        await expectMember(account);
        const merged = await waitForCart([['mug', 2], ['coffee-beans', 1], ['sticker', 3]]);
        assert.deepEqual(merged.map((i) => i.id), [...linkedCart, ...guestCart].map((i) => i.id),
          'the account keeps its rows and gains the second guest\'s');
        await waitForBio(bio);   // the second guest had no bio: the account's stays
        assert.equal(await visible('error'), false, 'the earlier error is gone');
        const { status, body } = await serverCart();
        assert.equal(status, 200);
        assert.deepEqual(body.items.map(({ sku, quantity }) => [sku, quantity]),
          [['mug', 2], ['coffee-beans', 1], ['sticker', 3]]);
      });
    } catch (e) {
      if (page) {
        const failed = `${current}-failed.png`;
        await page.screenshot({ path: path.join(artifacts, failed), fullPage: true }).catch(() => {});
        log.push(`screenshot of the failure: ${path.join(artifacts, failed)}`);
      }
      console.error(`--- browser log (${log.length} lines) ---\n${log.join('\n') || '(empty)'}`);
      if (server) console.error(`--- server stderr ---\n${server.stderr().trimEnd() || '(empty)'}`);
      throw e;
    } finally {
      await browser?.close().catch(() => {});
      await server?.stop();
    }
  });
