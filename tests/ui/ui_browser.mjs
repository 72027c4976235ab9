// Drives tally-server's /ui page in Debian's headless Chromium with playwright-core.
// Started by test_ui.py, which runs the server, makes the data and passes everything in a
// JSON file (argv[2]): url, tokens, month, the JSON API's report, paths for the download
// and the screenshot. Exits non-zero on the first failed check.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const setup = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const base = setup.url;
const reportUrl = (tenant) =>
  `${base}/ui/report?tenant=${encodeURIComponent(tenant)}&month=${setup.month}`;
const fleetUrl = `${base}/ui/report?tenant=${setup.fleet_tenant}&month=${setup.fleet_month}`;

async function texts(page, selector) {
  return page.$$eval(selector, (cs) => cs.map((c) => c.textContent));
}

// A month not computed yet is a page that says so (#pending) and reloads itself: open it
// again until the real page is there (the server computes it in the background).
async function settle(page) {
  for (let i = 0; i < 600 && await page.$('#pending'); i++) {
    await page.waitForTimeout(200);
    await page.goto(page.url()).catch(() => {});  // a Refresh may navigate at the same time
  }
  assert.equal(await page.$('#pending'), null, `${page.url()} still being computed`);
}

async function open(page, url) {
  const response = await page.goto(url);
  await settle(page);
  return response;
}

async function clickAndWait(page, selector) {
  const [response] = await Promise.all([page.waitForNavigation(), page.click(selector)]);
  assert.equal(response.status(), 200, `${selector} → ${page.url()}`);
  await settle(page);
}

// The page itself never scrolls sideways: wide tables scroll inside their own box.
async function fitsWidth(page) {
  const [scroll, inner] = await page.evaluate(
    () => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= inner, `page is ${scroll} px wide in a ${inner} px window`);
}

// Flags: the machine has no network but loopback; without the background-networking ones
// Chromium keeps trying Google hosts. No ignoreHTTPSErrors: the server's certificate is
// trusted by pinning exactly its public key (SPKI SHA-256). A pin is narrower than adding
// the test CA to an NSS db (it admits that one key, nothing the CA could sign later) and
// needs no certutil or temp HOME. launchBrowser(false) proves the pin is what admits it.
const baseArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking', '--disable-component-update',
  '--disable-sync'];

function launchBrowser(pinned) {
  const args = pinned ? [...baseArgs, `--ignore-certificate-errors-spki-list=${setup.spki_pin}`]
    : baseArgs;
  return chromium.launch({ executablePath: '/usr/bin/chromium', args, timeout: 60000 });
}

async function step(name, fn) {
  process.stdout.write(`ui: ${name} ... `);
  await fn();
  process.stdout.write('ok\n');
}

async function signIn(page, token) {
  await page.goto(`${base}/ui`);
  await page.fill('#token', token);
  const [response] = await Promise.all([
    page.waitForNavigation(),
    page.click('#sign-in'),
  ]);
  return response;
}

// Values of the data-field cells of the summary table.
async function summaryCells(page) {
  return page.$$eval('#summary td[data-field]',
    (cells) => Object.fromEntries(cells.map((c) => [c.dataset.field, c.textContent])));
}

async function main() {
  await step('an unpinned Chromium refuses the server certificate', async () => {
    const browser = await launchBrowser(false);
    try {
      const page = await browser.newPage();
      await assert.rejects(page.goto(`${base}/ui`), /ERR_CERT_AUTHORITY_INVALID/);
    } finally {
      await browser.close();
    }
  });

  const browser = await launchBrowser(true);
  const dialogs = [];
  try {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });

    await step('a wrong token is refused with 401 and a clear message', async () => {
      const response = await signIn(page, 'tat_not-a-real-token');
      assert.equal(response.status(), 401);
      assert.match(await page.textContent('#message'), /not valid/);
      assert.deepEqual(await context.cookies(), []);
    });

    await step('a report page without a session is 401', async () => {
      const response = await page.goto(reportUrl('acme'));
      assert.equal(response.status(), 401);
      assert.match(await page.textContent('#message'), /not signed in/);
    });

    await step('global admin signs in; the cookie is a session id, not the token', async () => {
      const response = await signIn(page, setup.global_token);
      assert.equal(response.status(), 200);
      await settle(page);
      assert.equal(new URL(page.url()).pathname, '/ui');
      const cookies = await context.cookies();
      assert.equal(cookies.length, 1);
      const [c] = cookies;
      assert.equal(c.name, '__Host-tally_session');
      assert.equal(c.httpOnly, true);
      assert.equal(c.secure, true);
      assert.equal(c.sameSite, 'Strict');
      assert.ok(!c.value.includes(setup.global_token) && c.value.length >= 40, c.value);
      assert.ok(!page.url().includes(setup.global_token));
      const tenants = await page.$$eval('#tenant option', (os) => os.map((o) => o.value));
      assert.deepEqual(tenants.sort(), [...setup.all_tenants].sort());
    });

    await step('Customers lists every tenant with its units; filter and sort', async () => {
      assert.equal(new URL(page.url()).pathname, '/ui');
      const names = await texts(page, '#customers tbody [data-field=name]');
      assert.deepEqual(names, [...setup.all_tenants].sort());
      const acme = await page.$$eval('#customers tbody tr', (rows) => rows
        .map((r) => Object.fromEntries([...r.querySelectorAll('td')]
          .map((c) => [c.dataset.field, c.textContent])))
        .find((r) => r.name === 'acme'));
      assert.equal(acme.units, String(setup.report.summary.billable_units));
      assert.equal(acme.status, setup.report.summary.tenant_status === 'in_trial' ? 'trial'
        : setup.report.summary.tenant_status);
      await page.fill('#customers-q', 'ACM');
      await clickAndWait(page, '#customers-go');
      assert.deepEqual(await texts(page, '#customers tbody [data-field=name]'), ['acme']);
      await page.selectOption('#customers-status', 'inactive');
      await clickAndWait(page, '#customers-go');
      assert.match(await page.textContent('#customers'), /No customer matches/);
      await open(page, `${base}/ui?sort=name&dir=desc`);
      const desc = await texts(page, '#customers tbody [data-field=name]');
      assert.deepEqual(desc, [...setup.all_tenants].sort().reverse());
      // Each tenant's own month (UTC here) with its zone named.
      const months = await texts(page, '#customers tbody [data-field=month]');
      const utcMonth = new Date().toISOString().slice(0, 7);
      assert.ok(months.every((m) => m === `${utcMonth} UTC`), months.join(' | '));
      await open(page, `${base}/ui`);
    });

    await step('picks tenant and month; summary equals the JSON API', async () => {
      await page.selectOption('#tenant', 'acme');
      await page.fill('#month', setup.month);
      const [response] = await Promise.all([
        page.waitForNavigation(),
        page.click('#show'),
      ]);
      assert.equal(response.status(), 200);
      await settle(page);
      const s = setup.report.summary;
      const cells = await summaryCells(page);
      for (const key of ['billable_units', 'reported_units', 'active_users', 'active_devices',
        'standalone_devices', 'overflow_devices', 'late_adjustments', 'late_units_delta']) {
        assert.equal(cells[key], String(s[key]), key);
      }
      assert.equal(cells.tenant_status, s.tenant_status);
      const cards = await page.$$eval('#key-figures [data-key]',
        (cs) => Object.fromEntries(cs.map((c) => [c.dataset.key, c.textContent])));
      assert.equal(cards.billable_units, String(s.billable_units));
      assert.equal(cards.active_users, String(s.active_users));
      assert.equal(cards.closed, s.closed ? 'closed' : 'open');
      assert.equal(cells.trial, s.trial ? 'yes' : 'no');
      const packages = await page.$$eval('#packages tbody tr', (rows) => rows.map((r) => [
        r.querySelector('[data-field=package]').textContent,
        Number(r.querySelector('[data-field=billable_units]').textContent)]));
      assert.deepEqual(Object.fromEntries(packages),
        Object.fromEntries(s.packages.map((p) => [p.package, p.billable_units])));
      const users = await page.$$eval('#users tbody [data-field=principal]',
        (cs) => cs.map((c) => c.textContent));
      assert.deepEqual(users.sort(), setup.report.users.map((u) => u.principal).sort());
      const devices = await page.$$eval('#devices tbody tr', (rows) => rows.map((r) => [
        r.querySelector('[data-field=hostname]').textContent,
        r.querySelector('[data-field=billed_as]').textContent]));
      assert.deepEqual(Object.fromEntries(devices),
        Object.fromEntries(setup.report.devices.map((d) => [d.hostname, d.billed_as])));
    });

    await step('hostile hostname and principal render as inert text', async () => {
      const hosts = await page.$$eval('#devices [data-field=hostname]',
        (cs) => cs.map((c) => c.textContent));
      assert.ok(hosts.includes(setup.xss_hostname), hosts.join(' | '));
      const principals = await page.$$eval('#users [data-field=principal]',
        (cs) => cs.map((c) => c.textContent));
      assert.ok(principals.includes(setup.xss_principal), principals.join(' | '));
      // The DOM itself, not only the CSP, must be free of injected elements.
      assert.equal(await page.$$eval('script', (s) => s.length), 0);
      assert.equal(await page.$$eval('main img', (s) => s.length), 0);
      assert.equal(await page.evaluate(() => window.__tally_pwned), undefined);
      assert.deepEqual(dialogs, []);
      // The device and user pages of the hostile names, opened from their links.
      await page.click(`#devices [data-field=hostname] a >> text=${JSON.stringify(setup.xss_hostname)}`);
      await page.waitForLoadState();
      assert.equal(await page.textContent('#title'), `Device ${setup.xss_hostname}`);
      await page.goBack();
      await page.click(`#users [data-field=principal] a >> text=${JSON.stringify(setup.xss_principal)}`);
      await page.waitForLoadState();
      assert.equal(await page.textContent('#title'), `User ${setup.xss_principal}`);
      assert.equal(await page.$$eval('script', (s) => s.length), 0);
      assert.equal(await page.$$eval('main img', (s) => s.length), 0);
      assert.equal(await page.evaluate(() => window.__tally_pwned), undefined);
      assert.deepEqual(dialogs, []);
      // No page but sign-in and sign-out posts anything (CSRF note in ui_routes.cpp).
      assert.deepEqual(await page.$$eval('form[method=post]', (fs) => fs.map((f) => f.action)),
        [`${base}/ui/sign-out`]);
      await page.goBack();
    });

    await step('pages through a 2,000-device tenant, searches a device and opens it', async () => {
      await open(page, fleetUrl);
      assert.match(await page.textContent('#devices-pager'), /Rows 1–100 of 2000 · page 1 of 20/);
      assert.equal((await texts(page, '#devices tbody tr')).length, 100);
      // Every row says why it is billed or not.
      const why = await texts(page, '#devices tbody [data-field=explanation]');
      assert.ok(why.every((w) => w.length > 10), why.join(' | '));
      const days = await page.$$eval('#chart-days rect', (rs) => rs.length);
      assert.ok(days >= 56, `${days} bars`);  // two series, every day of the month
      // From the rollups: each of the 2,000 devices was active on 4 days of the month.
      const titles = await texts(page, '#chart-days rect title');
      const devicesPerDay = titles.filter((t) => t.includes('active devices'))
        .map((t) => Number(t.split(' ').pop()));
      assert.equal(devicesPerDay.reduce((a, b) => a + b, 0), 4 * 2000);
      await clickAndWait(page, '#devices-pager-next');
      assert.match(await page.textContent('#devices-pager'), /Rows 101–200 of 2000/);
      const second = await texts(page, '#devices tbody [data-field=hostname]');
      assert.equal(second[0], 'host-0000100.vendor.example');
      await clickAndWait(page, '#devices-pager-last');
      assert.match(await page.textContent('#devices-pager'), /page 20 of 20/);
      assert.equal((await texts(page, '#devices tbody tr')).length, 100);
      await page.fill('#devices-q', 'HOST-0001234');
      await clickAndWait(page, '#devices-q-go');
      assert.deepEqual(await texts(page, '#devices tbody [data-field=hostname]'),
        ['host-0001234.vendor.example']);
      assert.match(await page.textContent('#devices-pager'), /of 1 matching \(2000 in all\)/);
      await clickAndWait(page, '#devices tbody [data-field=hostname] a');
      assert.equal(await page.textContent('#title'), 'Device host-0001234.vendor.example');
      const minutes = (await texts(page, '#device-days rect title'))
        .map((t) => Number(t.split(' ').pop()));
      assert.ok(minutes.length >= 28);
      assert.equal(minutes.reduce((a, b) => a + b, 0), 20);  // 4 heartbeats of 5 minutes
      assert.equal(minutes.filter((m) => m > 0).length, 4);
      assert.ok((await texts(page, '#events [data-field=what]')).includes('paired'));
      assert.match(await page.textContent('#zone'), /UTC/);
      await clickAndWait(page, '#back');
      await clickAndWait(page, '#users tbody [data-field=principal] a');
      assert.match(await page.textContent('#title'), /^User user/);
      // Its active minutes per day (billing's hourly rollups) add up to its month's minutes.
      const perDay = (await texts(page, '#user-minutes rect title'))
        .map((t) => Number(t.split(' ').pop()));
      assert.ok(perDay.length >= 28, `${perDay.length} days`);
      const facts = await page.$$eval('#user tr', (rows) => Object.fromEntries(rows.map((r) => [
        r.querySelector('th').textContent, r.querySelector('td').textContent])));
      assert.equal(perDay.reduce((a, b) => a + b, 0), Number(facts['Active minutes']));
      assert.ok(perDay.some((m) => m > 0));
    });

    await step('fits 1280 px and 390 px without cutting columns; keyboard; screenshots',
      async () => {
        for (const width of [1280, 390]) {
          // Tall enough for the summary, the charts and the first rows of the tables.
          await page.setViewportSize({ width, height: 1500 });
          for (const [name, url] of [['customers', `${base}/ui`], ['month', fleetUrl]]) {
            await open(page, url);
            await fitsWidth(page);
            await page.screenshot({ path: `${setup.artifacts}/${name}-${width}.png` });
          }
        }
        await page.setViewportSize({ width: 1280, height: 900 });
        // Tab reaches the links and the sign-out button in document order.
        await open(page, fleetUrl);
        const focused = [];
        for (let i = 0; i < 4; i++) {
          await page.keyboard.press('Tab');
          focused.push(await page.evaluate(() => document.activeElement.tagName));
        }
        assert.ok(focused.includes('A') && focused.includes('BUTTON'), focused.join(','));
      });

    await step('screenshot', async () => {
      await open(page, reportUrl('acme'));
      await page.screenshot({ path: setup.screenshot, fullPage: true });
    });

    await step('downloads XLSX and CSV through the cookie session', async () => {
      for (const [id, path] of [['#xlsx', setup.xlsx_path], ['#csv', setup.csv_path]]) {
        const [download] = await Promise.all([page.waitForEvent('download'), page.click(id)]);
        assert.equal(await download.failure(), null);
        await download.saveAs(path);
      }
    });

    await step('sign-out ends the session', async () => {
      const [response] = await Promise.all([
        page.waitForNavigation(),
        page.click('#sign-out'),
      ]);
      assert.equal(response.status(), 200);
      assert.ok(await page.$('#token'), 'the sign-in form is shown again');
      assert.deepEqual(await context.cookies(), []);
      const again = await page.goto(reportUrl('acme'));
      assert.equal(again.status(), 401);
    });

    await step('a tenant admin lands on its own month and gets 403 for another', async () => {
      const response = await signIn(page, setup.acme_token);
      assert.equal(response.status(), 200);
      await settle(page);
      assert.equal(new URL(page.url()).pathname, '/ui/report');
      assert.equal(new URL(page.url()).searchParams.get('tenant'), 'acme');
      const own = await open(page, reportUrl('acme'));
      assert.equal(own.status(), 200);
      assert.equal((await summaryCells(page)).billable_units,
        String(setup.report.summary.billable_units));
      for (const url of [reportUrl('other'),
        `${base}/ui/device?tenant=other&month=${setup.month}&id=x`,
        `${base}/ui/user?tenant=other&month=${setup.month}&key=x`]) {
        const other = await page.goto(url);
        assert.equal(other.status(), 403, url);
      }
      // Customers is for global admins: /ui sends a tenant admin to its own tenant.
      const home = await page.goto(`${base}/ui?status=active`);
      assert.equal(home.status(), 200);
      assert.equal(new URL(page.url()).searchParams.get('tenant'), 'acme');
      await page.goto(reportUrl('other'));
      assert.match(await page.textContent('#message'), /cannot open tenant 'other'/);
      const download = await page.goto(
        `${base}/ui/usage.xlsx?tenant=other&month=${setup.month}`).catch((e) => e);
      assert.ok(!(download instanceof Error), String(download));
      assert.equal(download.status(), 403);
    });
  } finally {
    await browser.close();
  }
}

main().then(() => {
  console.log('ui: all browser checks passed');
}, (err) => {
  console.error(`\nui: FAILED: ${err.stack || err}`);
  process.exit(1);
});
