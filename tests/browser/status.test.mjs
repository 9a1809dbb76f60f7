// The public status page in a real Chromium, at desktop width and at 375 px: a public update
// shows on the page, the XSS title shows as text (no dialog, no script), the page's CSS loads
// under the Content-Security-Policy (no console errors), nothing overflows a phone's width, and a
// resolve brings the component back to operational. Screenshots: build/browser/status-*.png.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Server, launch, shot } from './harness.mjs';

const XSS = '<script>alert(1)</script>';
const widths = [
  { name: 'desktop', viewport: { width: 1280, height: 900 } },
  { name: 'phone', viewport: { width: 375, height: 740, isMobile: true, hasTouch: true } },
];

let server;
let browser;
let incident;

// The harness's fixture has no status-page components: give its two services one each, reloaded.
async function withComponents(s) {
  const file = path.join(s.dir, 'config.yaml');
  const text = fs.readFileSync(file, 'utf8')
    .replace('{id: api, name: API Gateway}', '{id: api, name: API Gateway, component: API}')
    .replace('{id: db, name: Database}', '{id: db, name: Database, component: Database}');
  assert.ok(text.includes('component: API') && text.includes('component: Database'), 'fixture changed');
  fs.writeFileSync(file, text);
  const r = await s.api('POST', '/api/v1/config/reload');
  assert.equal(r.status, 200, JSON.stringify(r.json));
}

before(async () => {
  server = new Server();
  await server.start();
  await withComponents(server);
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

const text = (page, sel) => page.$eval(sel, (el) => el.textContent.trim());
const componentState = (page, id) => text(page, `#component-${id} .state`);

for (const w of widths) {
  describe(`status page at ${w.name} width`, { concurrency: false }, () => {
    let ctx;
    let page;
    const dialogs = [];
    const problems = [];

    before(async () => {
      ctx = await browser.createBrowserContext();
      page = await ctx.newPage();
      await page.setViewport(w.viewport);
      page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
      page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
      page.on('pageerror', (e) => problems.push(String(e)));
      page.on('requestfailed', (r) => problems.push(`failed: ${r.url()}`));
      page.on('response', (r) => { if (r.status() >= 400) problems.push(`${r.status()}: ${r.url()}`); });
      page.setDefaultTimeout(20000);
    });
    after(async () => { if (ctx) await ctx.close(); });

    test('a public update is on the page, the XSS title as text', async () => {
      if (!incident) {
        let r = await server.api('POST', '/api/v1/incidents', { title: XSS, severity: 'SEV2', service: 'api' });
        assert.equal(r.status, 201, JSON.stringify(r.json));
        incident = r.json.id;
        r = await server.api('POST', `/api/v1/incidents/${incident}/status`,
          { status: 'investigating', message: 'We are looking into elevated errors.', public: true });
        assert.equal(r.status, 200, JSON.stringify(r.json));
      }
      const resp = await page.goto(`${server.url}/status`, { waitUntil: 'load' });
      assert.equal(resp.status(), 200);
      assert.equal(await text(page, `#${incident} h3`), XSS, 'the title shows as text');
      assert.equal(await page.$$eval('script', (s) => s.length), 0, 'no script element at all');
      assert.deepEqual(dialogs, [], 'no alert ran');
      assert.match(await text(page, '.overall .description'), /Partial System Outage/);
      assert.equal(await componentState(page, 'api'), 'Partial outage');
      assert.equal(await componentState(page, 'database'), 'Operational');
      assert.match(await text(page, `#${incident} .updates`), /We are looking into elevated errors\./);
      const bg = await page.$eval('.overall', (el) => getComputedStyle(el).backgroundColor);
      assert.notEqual(bg, 'rgba(0, 0, 0, 0)', 'the style sheet applied (CSP allows it)');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `no horizontal scrolling (${overflow} px too wide)`);
      assert.deepEqual(problems, [], 'no console errors, no blocked or failed requests');
      await shot(page, `status-${w.name}-incident`);
    });

    test('readable with JavaScript off', async () => {
      await page.setJavaScriptEnabled(false);
      await page.reload({ waitUntil: 'load' });
      assert.equal(await text(page, `#${incident} h3`), XSS);
      await page.setJavaScriptEnabled(true);
    });

    test('resolved: the component is operational again', async () => {
      if (w === widths[widths.length - 1]) {
        const r = await server.api('POST', `/api/v1/incidents/${incident}/status`,
          { status: 'resolved', message: 'Errors are back to normal.', public: true });
        assert.equal(r.status, 200, JSON.stringify(r.json));
        await page.reload({ waitUntil: 'load' });
        assert.match(await text(page, '.overall .description'), /All Systems Operational/);
        assert.equal(await componentState(page, 'api'), 'Operational');
        assert.match(await text(page, `#${incident} .updates`), /Errors are back to normal\./);
        assert.deepEqual(problems, []);
        await shot(page, `status-${w.name}-resolved`);
      }
    });
  });
}

// Scheduled maintenance: a window in progress shows above the components, its component is
// "Under maintenance" and the indicator says so; completed, the component is operational again.
describe('maintenance notice', { concurrency: false }, () => {
  let ctx;
  let page;
  let mnt;
  const problems = [];

  before(async () => {
    ctx = await browser.createBrowserContext();
    page = await ctx.newPage();
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`${r.status()}: ${r.url()}`); });
    page.setDefaultTimeout(20000);
    const clock = await server.api('GET', '/api/v1/debug/clock');
    assert.equal(clock.status, 200, JSON.stringify(clock.json));
    const now = Date.parse(clock.json.now);
    const r = await server.api('POST', '/api/v1/maintenances', {
      name: 'Database <b>upgrade</b>', components: ['Database'],
      scheduled_for: new Date(now - 60000).toISOString(),
      scheduled_until: new Date(now + 2 * 3600000).toISOString(),
      message: 'Writes pause for a few minutes.',
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    mnt = r.json.id;
  });
  after(async () => { if (ctx) await ctx.close(); });

  for (const w of widths) {
    test(`in progress at ${w.name} width`, async () => {
      await page.setViewport(w.viewport);
      const resp = await page.goto(`${server.url}/status`, { waitUntil: 'load' });
      // the second width reloads the same page: its cached copy revalidated (304) is as good
      assert.ok([200, 304].includes(resp.status()), `status ${resp.status()}`);
      assert.equal(await text(page, '#maint-active'), 'Maintenance in progress');
      assert.equal(await text(page, `#${mnt} h3`), 'Database <b>upgrade</b>', 'the name as text');
      assert.match(await text(page, `#${mnt} .updates`), /Writes pause for a few minutes\./);
      assert.equal(await componentState(page, 'database'), 'Under maintenance');
      assert.match(await text(page, '.overall .description'), /Service Under Maintenance/);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `no horizontal scrolling (${overflow} px too wide)`);
      assert.deepEqual(problems, []);
      await shot(page, `status-${w.name}-maintenance`);
    });
  }

  test('completed: operational again, listed as completed', async () => {
    const r = await server.api('PATCH', `/api/v1/maintenances/${mnt}`,
      { status: 'completed', message: 'Done.' });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    await page.reload({ waitUntil: 'load' });
    assert.equal(await componentState(page, 'database'), 'Operational');
    assert.equal(await page.$('#maint-active'), null);
    assert.match(await text(page, `#${mnt} .meta`), /Completed/);
    assert.deepEqual(problems, []);
  });
});
