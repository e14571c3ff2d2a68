// Evidence files in the browser (issue 10): the manager picks a PDF on
// the request's page, ties it to 別紙 項番15 and presses 「添付する」; the
// file is listed with its size and hash; the approver downloads it and
// gets the same bytes, as a download with the file's Japanese name.
//
// Run with tests/browser/run.sh (TAP on stdout).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { launchBrowser, newUserPage, signIn, startServer } from './harness.mjs';

let server;
let browser;
const contexts = [];

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  for (const c of contexts)
    await c.close().catch(() => {});
  if (browser)
    await browser.close().catch(() => {});
  if (server) {
    const end = await server.stop({ keep: !!process.env.EXTSVC_KEEP });
    if (end.code !== 0)
      throw new Error(`extsvc serve ended with ${end.signal || `status ${end.code}`}; ` +
                      `log tail:\n${end.log.split('\n').slice(-30).join('\n')}`);
  }
});

async function open(login) {
  const u = await newUserPage(browser, server.base, { acceptDownloads: true });
  contexts.push(u.context);
  await signIn(u.page, login);
  return u;
}

const NAME = 'データ消去証明書（様式）.pdf';
const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from(Array.from({ length: 2048 }, (_, i) => i % 256))]);

test('a manager attaches a PDF to requirement 15 and the approver downloads the same bytes', async () => {
  const m = await open('somu');
  await m.page.goto('/requests/7'); // 事前協議中, 総務部 総務課
  await m.page.setInputFiles('input[name=file]', { name: NAME, mimeType: 'application/pdf', buffer: PDF });
  await m.page.selectOption('select[name=item]', '15');
  await m.page.fill('input[name=note]', '事業者の様式');
  await Promise.all([
    m.page.waitForURL(/\/requests\/7#attachments$/),
    m.page.getByRole('button', { name: '添付する' }).click(),
  ]);
  const row = m.page.locator('#attachments tbody tr', { hasText: NAME });
  assert.equal(await row.count(), 1, 'the file is listed');
  const sha = createHash('sha256').update(PDF).digest('hex');
  assert.match(await row.textContent(), new RegExp(`${PDF.length} バイト.*${sha.slice(0, 16)}`));
  assert.deepEqual(m.problems, [], 'no console errors, page errors or failed responses');

  const a = await open('shinsa');
  await a.page.goto('/requests/7');
  const [download] = await Promise.all([
    a.page.waitForEvent('download'),
    a.page.locator('#attachments a', { hasText: NAME }).click(),
  ]);
  assert.equal(download.suggestedFilename(), NAME);
  const got = await readFile(await download.path());
  assert.ok(got.equals(PDF), 'the downloaded bytes are the uploaded ones');
  assert.equal(await a.page.locator('form.attach').count(), 0, 'the approver gets no upload form');
});
