// Opens an `ajar report` HTML file in headless Chromium (Debian's, through playwright-core) and
// fails on any console error, page error or request that leaves the file (the report must be
// self-contained). Checks the parts a reader needs, then writes a full-page screenshot.
//
//   node tests/browser/report.mjs REPORT.html SCREENSHOT.png
// Exit 0 when clean; 1 with one line per problem otherwise.
import { chromium } from './node_modules/playwright-core/index.mjs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [reportPath, shotPath] = process.argv.slice(2);
if (!reportPath || !shotPath) {
  console.error('usage: node report.mjs REPORT.html SCREENSHOT.png');
  process.exit(2);
}
const url = pathToFileURL(path.resolve(reportPath)).href;
const problems = [];

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('request', (r) => { if (r.url() !== url && !r.url().startsWith('data:')) problems.push(`external request: ${r.url()}`); });

  const resp = await page.goto(url, { waitUntil: 'load', timeout: 30000 });
  if (!resp || !resp.ok()) problems.push(`loading ${url} failed`);

  const title = await page.title();
  if (title !== 'ajar inventory report') problems.push(`unexpected title '${title}'`);
  for (const heading of ['Open services over time', 'Open by severity', 'Open by service', 'Data at risk', 'Longest open']) {
    if ((await page.locator('h2', { hasText: heading }).count()) !== 1) problems.push(`missing section '${heading}'`);
  }
  const svg = page.locator('.chart svg');
  if ((await svg.count()) !== 1) problems.push('no inline SVG chart');
  else {
    const box = await svg.boundingBox();
    if (!box || box.width < 300 || box.height < 60) problems.push(`chart too small: ${JSON.stringify(box)}`);
    if ((await page.locator('.chart svg circle').count()) < 1) problems.push('chart has no data points');
  }
  const cards = await page.locator('.card .n').allTextContents();
  if (cards.length < 4) problems.push(`expected summary cards, got ${cards.length}`);
  await page.screenshot({ path: shotPath, fullPage: true });
  console.log(JSON.stringify({ title, cards, screenshot: shotPath }));
} finally {
  await browser.close();
}

if (problems.length) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
