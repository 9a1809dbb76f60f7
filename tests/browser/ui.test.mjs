// The responder UI in a real Chromium, at desktop width and at 375 px (a phone): sign in,
// declare (with the XSS title, which must show as text), acknowledge, a live update arriving
// without a reload, resolve, the list, sign-out; then the incident page's follow-up panels: a
// checklist item ticked by its button (a form POST with the CSRF token, then the redirect) shows
// as done by the signed-in user. One server and one browser for all (startup is most of the time).
// Screenshots of each page: build/browser/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PASSWORD, Server, launch, shot } from './harness.mjs';

const XSS = '<script>alert(1)</script>';
const widths = [
  { name: 'desktop', user: 'alice', viewport: { width: 1280, height: 900 } },
  { name: 'phone', user: 'bob', viewport: { width: 375, height: 740, isMobile: true, hasTouch: true } },
];

let server;
let browser;

before(async () => {
  server = new Server();
  await server.start();
  for (const w of widths) {
    const r = await server.api('PUT', `/api/v1/users/${w.user}/password`, { password: PASSWORD, role: 'responder' });
    assert.equal(r.status, 200, JSON.stringify(r.json));
  }
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

async function submitAndWait(page, selector) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
}

const factText = (page) => page.$eval('.facts', (el) => el.textContent);

for (const w of widths) {
  describe(`responder UI at ${w.name} width`, { concurrency: false }, () => {
    let ctx;
    let page;
    let incidentUrl;
    const dialogs = [];

    before(async () => {
      ctx = await browser.createBrowserContext();
      page = await ctx.newPage();
      await page.setViewport(w.viewport);
      page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
      page.setDefaultTimeout(20000);
    });
    after(async () => { if (ctx) await ctx.close(); });

    test('sign in', async () => {
      await page.goto(`${server.url}/ui/`);
      assert.match(page.url(), /\/ui\/signin$/, 'signed out: sent to the sign-in page');
      await shot(page, `${w.name}-signin`);
      await page.type('#user', w.user);
      await page.type('#password', 'wrong password');
      await submitAndWait(page, 'button[type=submit]');
      assert.match(await page.$eval('.error', (e) => e.textContent), /Wrong user or password/);
      await page.$eval('#password', (e) => { e.value = ''; });
      await page.type('#password', PASSWORD);
      await submitAndWait(page, 'button[type=submit]');
      assert.match(page.url(), /\/ui\/$/);
      assert.match(await page.$eval('.who .user', (e) => e.textContent), new RegExp(w.user));
    });

    test('declare, with a title that is markup: shown as text', async () => {
      await page.goto(`${server.url}/ui/declare`);
      await page.type('#title', XSS);
      await page.click('input[name=severity][value=SEV1]');
      await page.select('#service', 'api');
      await shot(page, `${w.name}-declare`);
      await submitAndWait(page, '#declare');
      incidentUrl = page.url();
      assert.match(incidentUrl, /\/ui\/incidents\/INC-\d{4}-\d{2}-\d{2}-\d{3,}$/);
      assert.equal(await page.$eval('#incident-title', (e) => e.textContent), XSS);
      assert.equal(await page.$$eval('main script', (s) => s.length), 0, 'no script element made');
      assert.deepEqual(dialogs, [], 'no alert ran');
      assert.match(await factText(page), /triggered/);
      assert.match(await page.$eval('.sev', (e) => `${e.className} ${e.textContent}`), /sev-1 SEV1/);
      assert.ok(await page.$('.clock [data-due]'), 'the ack clock counts down');
    });

    test('acknowledge', async () => {
      await submitAndWait(page, 'button[data-action=ack]');
      assert.equal(page.url(), incidentUrl);
      assert.match(await factText(page), /acknowledged/);
      assert.equal(await page.$('button[data-action=ack]'), null);
      await shot(page, `${w.name}-incident`);
      if (w.viewport.width === 375) {
        const wide = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(wide <= 375, `the incident page fits 375 px (scrollWidth ${wide})`);
      }
    });

    test('a change made elsewhere shows up without a reload', async () => {
      await page.evaluate(() => { window.tocsinNoReload = 'still here'; });
      const id = incidentUrl.split('/').pop();
      const text = `note from the API for ${w.name}`;
      const r = await server.api('POST', `/api/v1/incidents/${id}/notes`, { text });
      assert.equal(r.status, 201, JSON.stringify(r.json));
      await page.waitForFunction((t) => document.getElementById('timeline').textContent.includes(t),
        { timeout: 15000 }, text);
      assert.equal(await page.evaluate(() => window.tocsinNoReload), 'still here', 'no reload');
    });

    test('resolve', async () => {
      await page.type('#resolve-message', 'rolled back');
      await submitAndWait(page, '#resolve');
      assert.match(await factText(page), /resolved/);
      assert.match(await page.$eval('#timeline', (e) => e.textContent), /rolled back/);
      await shot(page, `${w.name}-resolved`);
    });

    test('the list: severity by colour and text, resolved under status=all', async () => {
      await page.goto(`${server.url}/ui/?status=all`);
      const rows = await page.$$eval('#incidents .incident', (li) => li.map((e) => e.textContent));
      assert.ok(rows.some((t) => t.includes(XSS)), 'the XSS title listed as text');
      assert.deepEqual(dialogs, []);
      await shot(page, `${w.name}-list`);
      if (w.viewport.width === 375) {
        const wide = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(wide <= 375, `the list fits 375 px (scrollWidth ${wide})`);
      }
    });

    test('on call and alerts pages', async () => {
      await page.goto(`${server.url}/ui/oncall`);
      assert.match(await page.$eval('#oncall', (e) => e.textContent), /primary/);
      await shot(page, `${w.name}-oncall`);
      await page.goto(`${server.url}/ui/alerts`);
      await page.select('#sil-service', 'api');
      await page.type('#sil-reason', `maintenance by ${w.user}`);
      await submitAndWait(page, '#add-silence');
      assert.match(await page.$eval('#silences', (e) => e.textContent), new RegExp(`maintenance by ${w.user}`));
      await shot(page, `${w.name}-alerts`);
    });

    test('the monthly review: SVG charts that fit the width', async () => {
      await page.goto(`${server.url}/ui/reports`);
      const bars = await page.$$eval('#chart-severity svg rect.bar', (r) => r.length);
      assert.ok(bars >= 1, `bars drawn (${bars})`);
      const svgWidth = await page.$eval('#chart-severity svg', (e) => e.getBoundingClientRect().width);
      assert.ok(svgWidth > 0 && svgWidth <= w.viewport.width, `the chart scales (${svgWidth} px)`);
      await shot(page, `${w.name}-reports`);
      if (w.viewport.width === 375) {
        const wide = await page.evaluate(() => document.documentElement.scrollWidth);
        const over = await page.evaluate(() => [...document.querySelectorAll('body *')]
          .filter((e) => e.getBoundingClientRect().right > 376)
          .slice(0, 5).map((e) => `${e.tagName}.${e.className.baseVal ?? e.className}`).join(', '));
        assert.ok(wide <= 375, `the review fits 375 px (scrollWidth ${wide}; wider: ${over})`);
      }
    });

    test('sign out', async () => {
      await submitAndWait(page, '#signout');
      assert.match(page.url(), /\/ui\/signin$/);
      await page.goto(`${server.url}/ui/`);
      assert.match(page.url(), /\/ui\/signin$/, 'the session is over');
    });
  });
}

const followupWidths = [
  { name: 'phone', viewport: { width: 375, height: 740, isMobile: true, hasTouch: true }, item: 1 },
  { name: 'desktop', viewport: { width: 1280, height: 900 }, item: 2 },
];
let incident;

describe('checklist tick in the UI', { concurrency: false }, () => {
  let ctx;
  let page;
  const problems = [];

  before(async () => {
    // after the other pages' tests: a checklist in the config, an incident that gets it
    fs.appendFileSync(path.join(server.dir, 'config.yaml'), '\nchecklists:\n  - id: first-5\n' +
      '    title: First 5 minutes\n    items: ["Open the <b>bridge</b>", "Page the vendor"]\n');
    let r = await server.api('POST', '/api/v1/config/reload');
    assert.equal(r.status, 200, JSON.stringify(r.json));
    r = await server.api('POST', '/api/v1/incidents', { title: 'Checkout slow', severity: 'SEV2', service: 'api' });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    incident = r.json.id;
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

  for (const w of followupWidths) {
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
      // on a phone the timeline comes before the checklists and the action items; on a desktop
      // it stays below them in the wide column
      const top = (sel) => page.$eval(sel, (e) => e.getBoundingClientRect().top);
      const [tl, checks, acts] = [await top('#timeline-card'), await top('#checklists'), await top('section#actions')];
      if (w.viewport.width === 375)
        assert.ok(tl < checks && tl < acts, `timeline first on a phone (${tl} ${checks} ${acts})`);
      else
        assert.ok(tl > checks && tl > acts, `timeline after the follow-up on a desktop (${tl} ${checks} ${acts})`);
      assert.deepEqual(problems, []);
      await shot(page, `followup-${w.name}-checklist`);
      const r = await server.api('GET', `/api/v1/incidents/${incident}/checklists`);
      assert.equal(r.json.checklists[0].items[w.item - 1].done_by, 'user:alice');
    });
  }
});
