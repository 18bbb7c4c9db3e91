// The web app in a real browser (Debian's chromium, driven by
// playwright-core) against the real server: sign up, a token copied from
// the account page and used on the API, a PDF read with its progress, its
// page outlines, a docx download, a cited answer, sign-out and sign-in, and
// a form post without its CSRF token.
import {after, before, describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {createInterface} from 'node:readline';
import {chromium} from 'playwright-core';

const here = path.dirname(new URL(import.meta.url).pathname);
const BINARY = process.env.OCRCHAT_BINARY || path.join(here, '../../build/dev/src/ocrchat');
const TESTDATA = process.env.OCRCHAT_TESTDATA || path.join(here, '../../../shared/testdata');
const ARTIFACTS = process.env.OCRCHAT_ARTIFACTS || path.join(here, '../../build/dev/Testing/screenshots');
// Debian's /usr/bin/chromium is a wrapper script; the browser itself is beside it.
const CHROMIUM = process.env.CHROMIUM ||
  ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find(p => existsSync(p));
const PDF = path.join(TESTDATA, 'formats/multi-page-images.pdf');
const INVOICE = path.join(TESTDATA, 'invoices/AmazonWebServices.png');
const EMAIL = 'reader@example.com';
const PASSWORD = 'a long enough secret';
const DEADLINE_MS = 240000;  // a generous bound for a wait, not a speed requirement

let server, dataDir, url, browser, context, page, token, jobUuid;

async function startServer() {
  dataDir = mkdtempSync(path.join(tmpdir(), 'ocrchat-browser-'));
  server = spawn(BINARY, ['serve', '--port', '0', '--data', dataDir],
                 {stdio: ['ignore', 'pipe', 'inherit']});
  const lines = createInterface({input: server.stdout});
  const first = await new Promise((resolve, reject) => {
    lines.once('line', resolve);
    server.once('exit', code => reject(new Error(`server exited with ${code}`)));
  });
  url = /https?:\/\/\S+/.exec(first)?.[0];
  assert.ok(url, `server did not say where it listens: ${first}`);
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    try {
      const health = await (await fetch(url + '/healthz')).json();
      if (health.workers > 0) return;
    } catch {}
    await new Promise(r => setTimeout(r, 50));
  }
  throw new Error('server did not become healthy');
}

const shot = name => page.screenshot({path: path.join(ARTIFACTS, name), fullPage: true});

describe('the web app', {concurrency: false}, () => {
  before(async () => {
    mkdirSync(ARTIFACTS, {recursive: true});
    await startServer();
    browser = await chromium.launch({executablePath: CHROMIUM, args: ['--no-sandbox']});
    context = await browser.newContext({acceptDownloads: true, viewport: {width: 1280, height: 900}});
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], {origin: url});
    page = await context.newPage();
    page.setDefaultTimeout(DEADLINE_MS);
  });

  after(async () => {
    await browser?.close();
    server?.kill('SIGTERM');
    if (dataDir) rmSync(dataDir, {recursive: true, force: true});
  });

  it('signs up and lands on the account page', async () => {
    await page.goto(url + '/signup');
    await page.getByLabel('Email address').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', {name: 'Create account'}).click();
    await page.waitForURL(url + '/account');
    assert.match(await page.locator('main').innerText(), /Signed in as reader@example\.com/);
    assert.equal(await page.locator('#plan').innerText(), 'free');
    assert.equal(await page.locator('#usage').getAttribute('max'), '500');
  });

  it('creates a token, copies it and calls the API with it', async () => {
    await page.getByRole('button', {name: 'Create a token'}).click();
    const shown = await page.locator('#new-token').inputValue();
    assert.match(shown, /^oc_[0-9a-f]{32}$/);
    await page.getByRole('button', {name: 'Copy'}).click();
    await page.locator('#copy-status', {hasText: 'Copied'}).waitFor();
    token = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(token, shown);
    const account = await fetch(url + '/api/v1/account/', {headers: {Authorization: `Bearer ${token}`}});
    assert.equal(account.status, 200);
    assert.equal((await account.json()).name, EMAIL);
    assert.equal(await page.locator('table.tokens tbody tr').count(), 1);
    await shot('account.png');
    // Shown once: the page reloaded has the token listed, not shown.
    await page.goto(url + '/account');
    assert.equal(await page.locator('#new-token').count(), 0);
    assert.equal(await page.locator('table.tokens tbody tr').count(), 1);
  });

  it('uploads a multi-page PDF and follows its pages to done', async () => {
    await page.goto(url + '/');
    await page.getByLabel('Tier').selectOption('cpu');
    await page.getByLabel('Language').selectOption('auto');
    await page.getByLabel('Tool').selectOption('');
    await page.locator('#file').setInputFiles(PDF);
    // Every value the bar takes, as the page sets it.
    await page.evaluate(() => {
      window.progressSeen = [];
      const bar = document.getElementById('progress-bar');
      const record = Object.getOwnPropertyDescriptor(HTMLProgressElement.prototype, 'value');
      Object.defineProperty(bar, 'value', {get() { return record.get.call(this); },
        set(v) { record.set.call(this, v); window.progressSeen.push([this.value, this.max]); }});
    });
    await page.getByRole('button', {name: 'Recognise'}).click();
    await page.waitForURL(/\/jobs\/[0-9a-f]{32}$/);
    jobUuid = page.url().split('/').pop();
    await page.locator('#status', {hasText: 'done'}).waitFor();
    const seen = await page.evaluate(() => window.progressSeen);
    assert.ok(seen.length > 0, 'the progress bar was never set');
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i][0] >= seen[i - 1][0], `progress went back: ${JSON.stringify(seen)}`);
    assert.deepEqual(seen.at(-1), [3, 3]);
    assert.equal(await page.locator('#page-steps li.done').count(), 3);
  });

  it('draws every block of every page over its image', async () => {
    const job = await (await fetch(`${url}/api/v1/ocr/${jobUuid}/`, {headers: {Authorization: `Bearer ${token}`}})).json();
    assert.equal(job.status, 'done');
    assert.equal(job.pages.length, 3);
    const figures = page.locator('figure.page');
    assert.equal(await figures.count(), 3);
    let total = 0;
    for (let i = 0; i < 3; i++) {
      const figure = figures.nth(i);
      await figure.locator('img').evaluate(img => img.decode());
      assert.ok(await figure.locator('img').evaluate(img => img.naturalWidth > 0), `page ${i + 1} image`);
      const drawn = await figure.locator('[data-block]').count();
      assert.equal(drawn, job.pages[i].blocks.length, `page ${i + 1}`);
      const indexes = await figure.locator('[data-block]').evaluateAll(els => els.map(e => Number(e.dataset.block)));
      assert.deepEqual(indexes, job.pages[i].blocks.map((_, k) => k));
      total += drawn;
    }
    assert.ok(total > 0, 'no block outlined');
    // Hover and keyboard focus both show the block's text and confidence.
    const first = page.locator('figure.page [data-block]').first();
    await first.hover();
    const tip = page.locator('#block-tooltip');
    await tip.waitFor({state: 'visible'});
    assert.match(await tip.innerText(), /% confidence/);
    assert.ok((await tip.innerText()).includes(job.pages[0].blocks[0].text.split('\n')[0]));
    assert.ok((await page.locator('#markdown').innerText()).length > 20, 'the markdown is rendered');
    await page.mouse.move(0, 0);
    await shot('document.png');
  });

  it('downloads the docx', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('#downloads a[data-format="docx"]').click(),
    ]);
    assert.match(download.suggestedFilename(), /^multi-page-images\.docx$/);
    const file = await download.path();
    const bytes = readFileSync(file);
    assert.equal(bytes.subarray(0, 2).toString(), 'PK');
    assert.ok(bytes.includes(Buffer.from('word/document.xml')), 'a Word document');
  });

  it('answers a question with a citation that leads to its page', async () => {
    const job = await (await fetch(`${url}/api/v1/ocr/${jobUuid}/`, {headers: {Authorization: `Bearer ${token}`}})).json();
    // A question on what only the last page says, so that its answer cites
    // that page, below the others.
    const tokens = text => text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
    const earlier = new Set(tokens(job.pages[0].text + ' ' + job.pages[1].text));
    const own = tokens(job.pages[2].text).filter(w => !earlier.has(w));
    assert.ok(own.length > 0, 'the last page says something of its own');
    await page.getByLabel('Question').fill(`Which page says ${own.join(' ')}?`);
    await page.getByRole('button', {name: 'Ask'}).click();
    const citation = page.locator('.msg.assistant button.citation').first();
    await citation.waitFor();
    const cited = Number(await citation.getAttribute('data-page'));
    assert.equal(cited, 3);
    await page.evaluate(() => window.scrollTo(0, 0));
    assert.equal(await page.locator('#page-3').evaluate(el => el.getBoundingClientRect().top > window.innerHeight), true);
    await citation.click();
    const figure = page.locator(`#page-${cited}`);
    await figure.locator('.block.cited').waitFor();
    assert.equal(await page.locator('.block.cited').count(), 1);
    const inView = await figure.evaluate(el => {
      const box = el.getBoundingClientRect();
      return box.top < window.innerHeight && box.bottom > 0;
    });
    assert.ok(inView, `page ${cited} was scrolled to`);
    await page.screenshot({path: path.join(ARTIFACTS, 'document-cited.png')});
    // The block highlighted is one the snippet quotes from.
    const words = text => new Set(text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(w => w.length > 2));
    const blockWords = words(await figure.locator('.block.cited').getAttribute('data-text'));
    const snippet = (await citation.innerText()).replace(/^p\. \d+: /, '');
    assert.ok([...words(snippet)].some(w => blockWords.has(w)), `${[...blockWords]} / ${snippet}`);
  });

  it('fits a 375 px wide phone screen', async () => {
    const phone = await context.newPage();
    await phone.setViewportSize({width: 375, height: 812});
    await phone.goto(`${url}/jobs/${jobUuid}`);
    await phone.locator('#status', {hasText: 'done'}).waitFor({timeout: DEADLINE_MS});
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 375, `the page is ${width} px wide`);
    await phone.screenshot({path: path.join(ARTIFACTS, 'document-375.png'), fullPage: false});
    await phone.close();
  });

  it('reads a document anonymously, and chat asks to sign in', async () => {
    const anonymous = await browser.newContext({viewport: {width: 1280, height: 900}});
    const tab = await anonymous.newPage();
    tab.setDefaultTimeout(DEADLINE_MS);
    await tab.goto(url + '/');
    await tab.getByRole('link', {name: 'Sign in'}).waitFor();
    await tab.locator('#file').setInputFiles(INVOICE);
    await tab.getByRole('button', {name: 'Recognise'}).click();
    await tab.waitForURL(/\/jobs\/[0-9a-f]{32}$/);
    await tab.locator('#status', {hasText: 'done'}).waitFor();
    const uuid = tab.url().split('/').pop();
    const job = await (await fetch(`${url}/api/v1/ocr/${uuid}/`)).json();
    assert.ok(job.pages[0].blocks.length > 5, 'an invoice has many blocks');
    assert.equal(await tab.locator('figure.page [data-block]').count(), job.pages[0].blocks.length);
    // Every word under 60% confidence is underlined.
    const unsure = job.pages[0].blocks.flatMap(b => b.lines.flatMap(l => l.words)).filter(w => w.confidence < 0.6);
    assert.equal(await tab.locator('figure.page .word.low').count(), unsure.length);
    await tab.locator('#chat-signin').waitFor();
    assert.equal(await tab.locator('#chat-form').isVisible(), false);
    assert.equal(await tab.locator('#chat-signin-link').getAttribute('href'), `/login?next=${encodeURIComponent('/jobs/' + uuid)}`);
    // The keyboard reaches a block, and focus shows its text.
    await tab.locator('figure.page [data-block]').nth(2).focus();
    await tab.locator('#block-tooltip').waitFor({state: 'visible'});
    assert.match(await tab.locator('#block-tooltip').innerText(), /% confidence/);
    await tab.screenshot({path: path.join(ARTIFACTS, 'document-anonymous.png'), fullPage: true});
    await anonymous.close();
  });

  it('refuses posts without the CSRF token', async () => {
    const refused = await page.evaluate(async () => {
      const form = await fetch('/account/tokens', {method: 'POST', body: new URLSearchParams({csrf: 'wrong'})});
      const none = await fetch('/account/tokens', {method: 'POST', body: new URLSearchParams()});
      const body = new FormData();
      body.append('file', new Blob(['not read']), 'x.png');
      const api = await fetch('/api/v1/ocr/', {method: 'POST', body});
      return [form.status, none.status, api.status, (await api.json()).code];
    });
    assert.deepEqual(refused, [403, 403, 403, 'forbidden']);
    await page.goto(url + '/account');
    assert.equal(await page.locator('table.tokens tbody tr').count(), 1, 'no token was made');
  });

  it('signs out, refuses a wrong password, signs in again', async () => {
    await page.goto(url + '/account');
    await page.getByRole('button', {name: 'Sign out'}).click();
    await page.waitForURL(url + '/');
    await page.getByRole('link', {name: 'Sign in'}).waitFor();
    await page.goto(url + '/account');
    await page.waitForURL(/\/login\?next=\/account$/);

    await page.getByLabel('Email address').fill(EMAIL);
    await page.getByLabel('Password').fill('not the password');
    const [wrong] = await Promise.all([
      page.waitForResponse(r => r.url() === url + '/login' && r.request().method() === 'POST'),
      page.getByRole('button', {name: 'Sign in'}).click(),
    ]);
    assert.equal(wrong.status(), 401);
    await page.locator('.error', {hasText: 'wrong email address or password'}).waitFor();

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', {name: 'Sign in'}).click();
    await page.waitForURL(url + '/account');
    assert.equal(await page.locator(`.jobs a[href="/jobs/${jobUuid}"]`).count(), 1, 'the job is listed');
    assert.match(await page.locator('label[for="usage"]').innerText(), /^3 of 500 pages this month/);
  });
});
