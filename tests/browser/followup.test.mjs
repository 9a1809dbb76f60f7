// The incident page's follow-up panels in a real Chromium, at 375 px (a phone) and desktop width:
// a checklist item ticked by its button (a form POST with the CSRF token, then the redirect) shows
// as done by the signed-in user, with no page error. Screenshots: build/browser/followup-*.png.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PASSWORD, Server, launch, shot } from './harness.mjs';

const widths = [
  { name: 'phone', viewport: { width: 375, height: 740, isMobile: true, hasTouch: true }, item: 1 },
  { name: 'desktop', viewport: { width: 1280, height: 900 }, item: 2 },
];

let server;
let browser;
let incident;

before(async () => {
  server = new Server();
  await server.start();
  const file = path.join(server.dir, 'config.yaml');
  fs.appendFileSync(file, '\nchecklists:\n  - id: first-5\n    title: First 5 minutes\n' +
    '    items: ["Open the <b>bridge</b>", "Page the vendor"]\n');
  let r = await server.api('POST', '/api/v1/config/reload');
  assert.equal(r.status, 200, JSON.stringify(r.json));
  r = await server.api('PUT', '/api/v1/users/alice/password', { password: PASSWORD, role: 'responder' });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  r = await server.api('POST', '/api/v1/incidents', { title: 'Checkout slow', severity: 'SEV2', service: 'api' });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  incident = r.json.id;
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

describe('checklist tick in the UI', { concurrency: false }, () => {
  let ctx;
  let page;
  const problems = [];

  before(async () => {
    ctx = await browser.createBrowserContext();
    page = await ctx.newPage();
    page.on('pageerror', (e) => problems.push(String(e)));
    page.setDefaultTimeout(20000);
    await page.goto(`${server.url}/ui/signin`);
    await page.type('#user', 'alice');
    await page.type('#password', PASSWORD);
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('button[type=submit]')]);
    assert.match(page.url(), /\/ui\/$/);
  });
  after(async () => { if (ctx) await ctx.close(); });

  for (const w of widths) {
    test(`tick item ${w.item} at ${w.name} width`, async () => {
      await page.setViewport(w.viewport);
      await page.goto(`${server.url}/ui/incidents/${incident}`, { waitUntil: 'load' });
      const li = `#check-first-5-${w.item}`;
      assert.equal(await page.$eval(`${li}`, (e) => e.classList.contains('done')), false);
      if (w.item === 1)
        assert.match(await page.$eval(li, (e) => e.textContent), /Open the <b>bridge<\/b>/, 'markup as text');
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(`${li} button.tick`)]);
      assert.equal(page.url(), `${server.url}/ui/incidents/${incident}`);
      assert.equal(await page.$eval(li, (e) => e.classList.contains('done')), true);
      assert.match(await page.$eval(li, (e) => e.textContent), /user:alice/);
      assert.equal(await page.$(`${li} button`), null, 'no button once done');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `no horizontal scrolling (${overflow} px too wide)`);
      assert.deepEqual(problems, []);
      await shot(page, `followup-${w.name}-checklist`);
      const r = await server.api('GET', `/api/v1/incidents/${incident}/checklists`);
      assert.equal(r.json.checklists[0].items[w.item - 1].done_by, 'user:alice');
    });
  }
});
