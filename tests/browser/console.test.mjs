// The auditors' console end to end in headless Chromium, against a real gateway seeded through
// its API (run_console_test.sh starts everything). Every page is screenshotted as an artifact.
//
// Environment: KNUTPUNKT_BASE (gateway URL), KNUTPUNKT_SEED (seed.mjs's JSON), KNUTPUNKT_SCREENSHOTS
// (folder), CHROMIUM (executable; default /usr/bin/chromium).
import {after, before, describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {mkdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {chromium} from 'playwright-core';

const BASE = process.env.KNUTPUNKT_BASE;
const SEED = JSON.parse(readFileSync(process.env.KNUTPUNKT_SEED, 'utf8'));
const SHOTS = process.env.KNUTPUNKT_SCREENSHOTS;
const DOWNLOADS = process.env.KNUTPUNKT_DOWNLOADS;  // run_console_test.sh verifies the export kept here
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CASE_SYSTEM_TOKEN = 'demo-token-stockholm-ekb';
const OPERATOR_TOKEN = 'demo-token-operator';
const digits = (pnr) => pnr.replace(/\D/g, '');

let browser;
let page;
const browserErrors = [];

async function shot(name) {
  await page.screenshot({path: join(SHOTS, `${name}.png`), fullPage: true});
}

// Every input, select and textarea on the page has an accessible name from a real <label> (or
// aria-label for the odd control that has none); every table has column headers; nothing is
// wider than the 1366 px laptop screen (wide tables scroll inside their own region).
async function assertLabelled() {
  const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(pageWidth <= 1366, `the page is ${pageWidth} px wide`);
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
    .filter((el) => el.labels.length === 0 && !el.getAttribute('aria-label'))
    .map((el) => el.id || el.name || el.outerHTML.slice(0, 60)));
  assert.deepEqual(unlabelled, [], 'controls without a label');
  const headerless = await page.evaluate(() => [...document.querySelectorAll('table')]
    .filter((t) => t.querySelectorAll('thead th[scope=col]').length === 0).length);
  assert.equal(headerless, 0, 'tables without column headers');
}

async function go(hash) {
  await page.goto(`${BASE}/console/${hash}`);
}

// A POST with a JSON body when `body` is given: searches name the person there, never in the URL.
async function apiAsAuditor(path, body) {
  return page.evaluate(async ([p, b]) => {
    const s = JSON.parse(sessionStorage.getItem('knutpunkt.session'));
    const headers = {Authorization: `Bearer ${s.token}`};
    if (b !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(p, {method: b === undefined ? 'GET' : 'POST', headers,
      body: b === undefined ? undefined : JSON.stringify(b)});
    return {status: r.status, body: await r.json()};
  }, [path, body]);
}

// Every request the browser sends whose URL (percent-encoding undone) holds something shaped like
// a personnummer: 10 or 12 digits, or 6 or 8, '-' or '+' and 4, standing alone, with a valid
// check digit (Luhn over the last 10). Proxies log request lines; the console must never put one there.
const urlsWithPersonnummer = [];
function luhnValid(ten) {
  let sum = 0;
  for (let i = 0; i < 10; ++i) {
    let d = Number(ten[i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return sum % 10 === 0;
}
function holdsPersonnummer(url) {
  let text;
  try { text = decodeURIComponent(url); } catch { text = url; }
  const shapes = /(?<![0-9A-Za-z])(\d{6}|\d{8})([-+])(\d{4})(?![0-9A-Za-z])|(?<![0-9A-Za-z])(\d{10}|\d{12})(?![0-9A-Za-z])/g;
  for (const m of text.matchAll(shapes)) {
    const all = m[4] ?? `${m[1]}${m[3]}`;
    if (luhnValid(all.slice(-10))) return true;
  }
  return false;
}

describe('the auditors\' console in headless Chromium', () => {
  before(async () => {
    mkdirSync(SHOTS, {recursive: true});
    browser = await chromium.launch({executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--lang=sv-SE']});
    const context = await browser.newContext({viewport: {width: 1366, height: 768}, locale: 'sv-SE',
      timezoneId: 'Europe/Stockholm', acceptDownloads: true});
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => browserErrors.push(`page error: ${error.message}`));
    page.on('request', (request) => {
      if (holdsPersonnummer(request.url())) urlsWithPersonnummer.push(`${request.method()} ${request.url()}`);
    });
    page.on('console', (message) => {
      // A refused request (the wrong password below) is logged by Chromium as a failed resource;
      // anything else at error level (a script error, a CSP violation) is a failure.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        browserErrors.push(`console: ${message.text()}`);
      }
    });
  });

  after(async () => {
    await browser?.close();
  });

  it('is served by the gateway with a strict Content-Security-Policy and nothing from elsewhere', async () => {
    const external = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(BASE) && !request.url().startsWith('blob:') && !request.url().startsWith('data:')) {
        external.push(request.url());
      }
    });
    const response = await page.goto(`${BASE}/console/`);
    assert.equal(response.status(), 200);
    assert.match(response.headers()['content-security-policy'] ?? '', /default-src 'self'/);
    await page.waitForURL(/#\/logga-in$/);
    assert.equal(await page.locator('html').getAttribute('lang'), 'sv');
    assert.deepEqual(external, []);
  });

  it('offers a skip link as the first stop for the keyboard', async () => {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.textContent?.trim());
    assert.equal(focused, 'Hoppa till huvudinnehållet');
    assert.ok(await page.locator('.skip-link').isVisible(), 'the skip link shows when focused');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'huvudinnehall');
  });

  it('refuses a wrong password with a Swedish message and marks nothing as signed in', async () => {
    await page.getByLabel('Användarnamn').fill('revisor');
    await page.getByLabel('Lösenord').fill('fel-losenord');
    await page.getByRole('button', {name: 'Logga in'}).click();
    await page.getByRole('alert').getByText('Fel användarnamn eller lösenord.').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('knutpunkt.session')), null);
    await assertLabelled();
    await shot('01-logga-in-fel');
  });

  it('signs in as revisor with the keyboard and lands on the search', async () => {
    await page.getByLabel('Användarnamn').fill('revisor');
    await page.getByLabel('Lösenord').fill('demo-losenord-revisor');
    await page.getByLabel('Lösenord').press('Enter');
    await page.waitForURL(/#\/sok$/);
    await page.getByRole('heading', {level: 1, name: 'Sök i granskningsloggen'}).waitFor();
    await page.getByText(/Inloggad som/).waitFor();
    const stored = await page.evaluate(() => JSON.parse(sessionStorage.getItem('knutpunkt.session')));
    assert.ok(stored.token, 'the token is kept in sessionStorage');
    assert.ok(stored.user.roles.includes('auditor'));
    assert.equal(await page.evaluate(() => localStorage.length), 0, 'nothing in localStorage');
    await assertLabelled();
    await shot('02-sok');
  });

  it('names the field in Swedish when the gateway refuses a personnummer', async () => {
    await page.getByLabel('Personnummer eller samordningsnummer').fill('19121212-1213');  // wrong check digit
    await page.getByRole('button', {name: 'Sök', exact: true}).click();
    const alert = page.locator('.error-summary');
    await alert.waitFor();
    assert.match(await alert.innerText(), /Personnummer eller samordningsnummer: kontrollsiffran stämmer inte/);
    assert.equal(await page.getByLabel('Personnummer eller samordningsnummer').getAttribute('aria-invalid'), 'true');
    await shot('03-sok-felaktigt-personnummer');
  });

  it('searches a person and shows who looked them up, in which case, why and on what legal basis', async () => {
    await page.getByLabel('Personnummer eller samordningsnummer').fill(SEED.person);
    await page.getByRole('button', {name: 'Sök', exact: true}).click();
    await page.locator('.records').waitFor();
    assert.equal(await page.locator('.error-summary').count(), 0);
    const rows = page.locator('tr.records__row');
    const shown = await rows.count();
    assert.ok(shown > 0, 'the person has records');

    // What the API itself says for the same query: the table shows exactly those records.
    const api = await apiAsAuditor('/v1/audit/records/search', {person: digits(SEED.person), limit: 500});
    assert.equal(api.status, 200);
    const seqs = await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.seq)));
    // Searching is itself audited (who searched for whom), so newer records may have joined since
    // the console's search: compare what was there when it ran.
    assert.deepEqual(seqs, api.body.records.map((r) => r.seq).filter((s) => s <= Math.max(...seqs)).slice(0, seqs.length));

    // The seeded SSBTEK lookup: its row, by the caseworker, in the case, with a case link.
    const seeded = api.body.records.find((r) => r.body?.lookup_id === SEED.lookup_id && r.kind === 'lookup');
    assert.ok(seeded, 'the seeded lookup is found by person');
    const lookupRow = page.locator(`tr.records__row[data-seq="${seeded.seq}"]`);
    assert.match(await lookupRow.innerText(), new RegExp(`Uppslag[\\s\\S]*${SEED.caseworker}[\\s\\S]*${SEED.client}`));
    await lookupRow.getByRole('link', {name: SEED.case_id}).waitFor();
    await lookupRow.getByRole('button', {name: /Visa/}).click();
    const detail = page.locator('tr.records__detail:not([hidden])').first();
    await detail.waitFor();
    const text = await detail.innerText();
    assert.match(text, /Syfte\s+ekonomiskt_bistand/);
    assert.match(text, /Lagtext\s+11 kap\. 11 § SoL; 6 kap\. 5 § SoF/);
    assert.match(text, /Hela posten i granskningsloggen/);
    assert.equal(await lookupRow.getByRole('button', {name: /Dölj/}).getAttribute('aria-expanded'), 'true');
    await assertLabelled();
    await shot('04-sok-person');
  });

  it('pages through the results with a cursor', async () => {
    // The page's summary, not the screen readers' announcer, which repeats it for a moment.
    const results = page.getByLabel('Träffar', {exact: true});
    await page.getByLabel('Personnummer eller samordningsnummer').fill('');
    await page.getByLabel('Poster per sida').selectOption('25');
    await page.getByRole('button', {name: 'Sök', exact: true}).click();
    await results.getByText(/^Sida 1: poster 1–25/).waitFor();
    const firstPage = await page.locator('tr.records__row').evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.seq)));
    await page.getByRole('button', {name: 'Nästa sida'}).click();
    await results.getByText(/^Sida 2: poster 26–/).waitFor();
    const secondPage = await page.locator('tr.records__row').evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.seq)));
    assert.ok(secondPage.length > 0);
    assert.ok(Math.max(...secondPage) < Math.min(...firstPage), 'page 2 is older than page 1, newest first');
    await page.getByRole('button', {name: 'Föregående sida'}).click();
    await results.getByText(/^Sida 1: poster 1–25/).waitFor();
  });

  it('shows the person timeline without putting the personnummer in the URL', async () => {
    await page.getByLabel('Personnummer eller samordningsnummer').fill(SEED.person);
    await page.getByRole('button', {name: 'Visa personens tidslinje'}).click();
    await page.waitForURL(/#\/person$/);
    await page.getByRole('heading', {level: 2, name: `Tidslinje för ${SEED.person}`}).waitFor();
    const url = page.url();
    assert.ok(!url.includes(digits(SEED.person)) && !url.includes(SEED.person), `no personnummer in ${url}`);
    const kinds = await page.locator('tr.records__row td:nth-child(2)').allInnerTexts();
    for (const expected of ['Uppslag', 'Samtycke registrerat']) {
      assert.ok(kinds.some((k) => k.startsWith(expected)), `the timeline has "${expected}": ${kinds.join(', ')}`);
    }
    const seqs = await page.locator('tr.records__row').evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.seq)));
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'oldest first');
    await assertLabelled();
    await shot('05-person-tidslinje');
  });

  it('opens the case timeline from the result table: lookups, refusals and what went to Jobbtorg and came back', async () => {
    await page.getByRole('link', {name: SEED.case_id}).first().click();
    await page.waitForURL(new RegExp(`#/arende/${SEED.case_id}`));
    await page.getByRole('heading', {level: 1, name: `Ärende ${SEED.case_id}`}).waitFor();
    await page.locator('.records').waitFor();
    const kinds = await page.locator('tr.records__row td:nth-child(2)').allInnerTexts();
    for (const expected of ['Ärende registrerat', 'Uppslag', 'Uppslag nekat', 'Anvisning']) {
      assert.ok(kinds.some((k) => k.startsWith(expected)), `the case timeline has "${expected}": ${kinds.join(', ')}`);
    }
    assert.ok(kinds.some((k) => k.includes('Skyddad identitet')), 'the protected person\'s lookup is marked');
    if (SEED.referral_ended) {
      assert.ok(kinds.some((k) => k.startsWith('Rapport från partner')), 'Jobbtorg\'s reports are in the timeline');
    }
    const api = await apiAsAuditor(`/v1/audit/cases/${SEED.case_id}/timeline?client=${SEED.client}`);
    assert.equal(api.status, 200);
    assert.ok(kinds.length > 0 && kinds.length <= api.body.records.length);
    await assertLabelled();
    await shot('06-arende-tidslinje');
  });

  it('lists the log checks and runs "protected person lookups" for the last 30 days', async () => {
    await page.getByRole('link', {name: 'Loggkontroller'}).click();
    await page.waitForURL(/#\/loggkontroller$/);
    const api = await apiAsAuditor('/v1/audit/reports');
    const titles = api.body.reports.map((r) => r.title);
    assert.ok(titles.length >= 6);
    for (const title of titles) await page.getByLabel(title, {exact: true}).waitFor();
    const protectedReport = api.body.reports.find((r) => r.name === 'protected_person_lookups');
    await page.getByLabel(protectedReport.title, {exact: true}).check();
    await page.getByRole('button', {name: 'Kör loggkontroll'}).click();
    const table = page.locator('table.report');
    await table.waitFor();
    const text = await table.innerText();
    assert.ok(text.includes(SEED.protected_person), 'the protected person\'s lookup is found');
    assert.ok(!text.includes(SEED.person), 'no one else is');
    assert.ok(text.includes(SEED.other_caseworker), 'with the caseworker who made it');
    await assertLabelled();
    await shot('07-loggkontroll-skyddad-identitet');

    const withoutCase = api.body.reports.find((r) => r.name === 'lookups_without_open_case');
    await page.getByLabel(withoutCase.title, {exact: true}).check();
    await page.getByRole('button', {name: 'Kör loggkontroll'}).click();
    await page.getByRole('heading', {level: 2, name: withoutCase.title}).waitFor();
    const refusals = await page.locator('table.report').innerText();
    assert.ok(refusals.includes(SEED.no_case_id), 'the lookup in a case that is not open is found');
    assert.ok(refusals.includes(SEED.outside_person), 'the lookup of a person outside the household is found');
    await shot('08-loggkontroll-utan-oppet-arende');
  });

  it('shows the chain as intact', async () => {
    await page.getByRole('link', {name: 'Kedjans status'}).click();
    await page.locator('.verdict', {hasText: /^Kedjan är obruten/}).waitFor({timeout: 60_000});
    const api = await apiAsAuditor('/v1/audit/chain');
    assert.equal(api.body.intact, true);
    const facts = await page.locator('.chain dl').innerText();
    assert.match(facts, /Senaste postens hash\s+[0-9a-f]{64}/);
    await shot('09-kedjans-status');
  });

  it('creates a signed JSON Lines export and downloads the file and its manifest', async () => {
    await page.getByRole('link', {name: 'Export'}).click();
    await page.getByLabel('JSON Lines').check();
    await page.getByRole('button', {name: 'Skapa export'}).click();
    const heading = page.getByRole('heading', {level: 2, name: /^Exporten är klar/});
    await heading.waitFor({timeout: 60_000});
    const [, count, first, last] = /(\d+) poster \(post (\d+)–(\d+)\)/.exec(await heading.innerText()).map(Number);
    assert.equal(count, last - first + 1, 'one contiguous range');
    const keyId = await page.locator('#export-key-id').innerText();
    const headHash = await page.locator('#export-head-hash').innerText();
    assert.match(keyId, /^[0-9a-f]{16}$/);
    assert.match(headHash, /^[0-9a-f]{64}$/);

    const fileLink = page.getByRole('link', {name: /^Ladda ner exportfilen/});
    assert.match(await fileLink.getAttribute('href'), /^\/v1\/audit\/exports\/[^/]+\/file$/);
    const [fileDownload] = await Promise.all([page.waitForEvent('download'), fileLink.click()]);
    const lines = readFileSync(await fileDownload.path(), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    assert.equal(lines.length, count);
    assert.equal(lines[0].seq, first);
    assert.equal(lines.at(-1).seq, last);

    const [manifestDownload] = await Promise.all([page.waitForEvent('download'),
      page.getByRole('link', {name: 'Ladda ner det signerade manifestet'}).click()]);
    const manifest = JSON.parse(readFileSync(await manifestDownload.path(), 'utf8'));
    assert.equal(manifest.key_id, keyId);
    assert.equal(manifest.log_head.hash, headHash);
    assert.equal(manifest.records.count, count);
    assert.equal(manifest.records.first_seq, first);
    // Saved side by side they are FILE and FILE.manifest.json, as the offline verifier expects.
    assert.equal(manifestDownload.suggestedFilename(), `${fileDownload.suggestedFilename()}.manifest.json`);
    assert.match(await page.locator('pre.command').innerText(), new RegExp(`--export ${fileDownload.suggestedFilename()} `));
    if (DOWNLOADS) {
      // Side by side as the verifier expects them: FILE and FILE.manifest.json.
      mkdirSync(DOWNLOADS, {recursive: true});
      await fileDownload.saveAs(join(DOWNLOADS, fileDownload.suggestedFilename()));
      await manifestDownload.saveAs(join(DOWNLOADS, `${fileDownload.suggestedFilename()}.manifest.json`));
    }
    await assertLabelled();
    await shot('10-export');
  });

  it('refuses the audit API to a case-system token and to an operator (403)', async () => {
    for (const token of [CASE_SYSTEM_TOKEN, OPERATOR_TOKEN]) {
      const response = await fetch(`${BASE}/v1/audit/records/search`, {method: 'POST',
        headers: {Authorization: `Bearer ${token}`, 'Content-Type': 'application/json'},
        body: JSON.stringify({person: digits(SEED.person)})});
      assert.equal(response.status, 403);
      assert.equal((await response.json()).code, 'role_not_allowed');
    }
  });

  it('signs out and forgets the session and the personnummer', async () => {
    await page.getByRole('button', {name: 'Logga ut'}).click();
    await page.waitForURL(/#\/logga-in$/);
    await page.getByText('Du är utloggad.').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('knutpunkt.session')), null);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('knutpunkt.person')), null);
    await go('#/sok');
    await page.waitForURL(/#\/logga-in$/);
    await shot('11-utloggad');
  });

  it('sent no personnummer in the URL of any request, searches and timelines included', () => {
    // The check itself sees one when there is one.
    assert.ok(holdsPersonnummer(`${BASE}/v1/audit/records?person=${encodeURIComponent(SEED.person)}`));
    assert.ok(!holdsPersonnummer(`${BASE}/v1/audit/cases/${SEED.case_id}/timeline`));
    assert.deepEqual(urlsWithPersonnummer, []);
  });

  it('had no script errors or Content-Security-Policy violations', () => {
    assert.deepEqual(browserErrors, []);
  });
});
