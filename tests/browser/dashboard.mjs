// Drives the `ajar serve` dashboard in headless Chromium (Debian's, through playwright-core):
// log in, see the expected open services on the overview, open one service's page, log out,
// and check the session is gone. Fails on any console error, page error (CSP violations are
// console errors) or request to another origin (nothing may be fetched from elsewhere).
// Writes a screenshot of the overview.
//
//   AJAR_URL=https://127.0.12.40:8443 AJAR_USER=alice AJAR_PASSWORD=... \
//   AJAR_EXPECT=127.0.1.1:6379,127.0.1.2:5432 node tests/browser/dashboard.mjs SCREENSHOT.png
// Exit 0 when clean; 1 with one line per problem otherwise.
import { chromium } from './node_modules/playwright-core/index.mjs';

const [shotPath] = process.argv.slice(2);
const base = process.env.AJAR_URL;
const expect = (process.env.AJAR_EXPECT || '').split(',').filter(Boolean);
if (!shotPath || !base || !process.env.AJAR_USER || !process.env.AJAR_PASSWORD || expect.length === 0) {
  console.error('usage: AJAR_URL=... AJAR_USER=... AJAR_PASSWORD=... AJAR_EXPECT=addr:port,... node dashboard.mjs SHOT.png');
  process.exit(2);
}
const origin = new URL(base).origin;
const problems = [];
const steps = [];

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => { if (new URL(r.url()).origin !== origin) problems.push(`request to another origin: ${r.url()}`); });

  // 1. Anonymous: the dashboard sends us to the login page.
  await page.goto(`${base}/`, { waitUntil: 'load' });
  if (new URL(page.url()).pathname !== '/login') problems.push(`anonymous / ended at ${page.url()}, not /login`);

  // 2. Log in.
  await page.fill('input[name=user]', process.env.AJAR_USER);
  await page.fill('input[name=password]', process.env.AJAR_PASSWORD);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('button[type=submit]')]);
  if (new URL(page.url()).pathname !== '/') problems.push(`after login: at ${page.url()}`);
  const user = await page.locator('#user').textContent();
  if (user !== process.env.AJAR_USER) problems.push(`logged-in user shows as '${user}'`);
  steps.push('logged in');
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'ajar_session');
  if (!session || !session.httpOnly || session.sameSite !== 'Strict') problems.push(`session cookie attributes: ${JSON.stringify(session)}`);

  // 3. The overview lists the open services.
  if ((await page.locator('h1', { hasText: 'Overview' }).count()) !== 1) problems.push('no Overview heading');
  const openCount = Number(await page.locator('#open-count').textContent());
  if (openCount < expect.length) problems.push(`overview says ${openCount} open, expected at least ${expect.length}`);
  for (const ap of expect) {
    if ((await page.locator(`a[href="/service/${ap}"]`).count()) < 1) problems.push(`overview does not list ${ap}`);
  }
  if ((await page.locator('svg.chart circle').count()) < 1) problems.push('overview chart has no points');
  steps.push(`overview lists ${expect.length} expected services (${openCount} open)`);
  await page.screenshot({ path: shotPath, fullPage: true });

  // 4. One service's page: timeline and evidence.
  const first = expect[0];
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator(`a[href="/service/${first}"]`).first().click()]);
  if (new URL(page.url()).pathname !== `/service/${first}`) problems.push(`service link went to ${page.url()}`);
  if ((await page.locator('h2', { hasText: 'Timeline' }).count()) !== 1) problems.push('service page has no timeline');
  if ((await page.locator('.timeline li').count()) < 1) problems.push('service timeline is empty');
  const evidence = (await page.locator('#evidence').first().textContent()) || '';
  if (evidence.trim().length < 5) problems.push(`service page evidence is '${evidence}'`);
  if ((await page.locator('.state-open').count()) < 1) problems.push('service page does not say it is open');
  steps.push(`service page ${first}: ${evidence.trim()}`);

  // 5. Log out; the dashboard is closed again.
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('#logout')]);
  if (new URL(page.url()).pathname !== '/login') problems.push(`after logout: at ${page.url()}`);
  await page.goto(`${base}/findings`, { waitUntil: 'load' });
  if (new URL(page.url()).pathname !== '/login') problems.push(`after logout /findings ended at ${page.url()}`);
  const left = (await context.cookies()).find((c) => c.name === 'ajar_session');
  if (left) problems.push('session cookie still set after logout');
  steps.push('logged out');
} catch (e) {
  problems.push(`exception: ${e.message}`);
} finally {
  await browser.close();
}
for (const s of steps) console.log(`ok: ${s}`);
if (problems.length) {
  for (const p of problems) console.log(`problem: ${p}`);
  process.exit(1);
}
