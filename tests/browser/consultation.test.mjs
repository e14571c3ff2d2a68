// 事前協議 in the browser (standard 5(2)①, issue 7): a manager files a
// request and starts 事前協議; the approver comments and presses
// 「協議済みにする」; the manager submits (「申請する」); the approver decides
// from the review page, which shows the consultation, and approves
// (「承認する」); the new ledger entry shows the consultation in its history.
// Buttons are found by the texts agreed for issue 7 and no others.
//
// Run with tests/browser/run.sh (TAP on stdout).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, newUserPage, signIn, startServer, today } from './harness.mjs';

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

const text = async (loc) => ((await loc.textContent()) || '').replace(/\s+/g, ' ').trim();

async function open(login) {
  const u = await newUserPage(browser, server.base);
  contexts.push(u.context);
  await signIn(u.page, login);
  return u;
}

function noProblems(u) {
  assert.deepEqual(u.problems, [], 'no console errors, page errors or failed responses');
}

/* The request's state as its page shows it. */
async function stateOf(page) {
  return text(page.locator('main .state').first());
}

/* Press the step button named `name` (the agreed text), with `comment` in
 * the comment box of its form; back on the request's page. */
async function step(page, id, name, comment = null) {
  const button = page.getByRole('button', { name });
  assert.equal(await button.count(), 1, `one 「${name}」 button on ${page.url()}`);
  if (comment !== null)
    await page.locator('form', { has: button }).locator('textarea[name=comment]').fill(comment);
  await Promise.all([
    page.waitForURL(new RegExp(`/requests/${id}$`)),
    button.click(),
  ]);
  assert.equal(await page.locator('.notice.error').count(), 0,
               `no error after 「${name}」: ${await text(page.locator('main'))}`.slice(0, 400));
}

const SVC = 'オンライン研修配信';
const ASK = '事前協議をお願いします。録画の扱いをご確認ください';
const ANSWER = '録画は庁内共有に限る条件で了承します';

test('事前協議 → 協議済みにする → 申請する → 承認する, and the entry keeps the consultation', async (t) => {
  // The manager files a 機密性1 request (the risk track), every risk mitigated.
  const m = await open('somu');
  let page = m.page;
  await page.goto('/requests/new');
  await page.fill('input[name=service_name]', SVC);
  await page.fill('input[name=provider]', '株式会社周南クラウド');
  await page.fill('input[name=purpose]', '職員研修の実施');
  await page.fill('input[name=period_from]', '2027-04-01');
  await page.fill('input[name=period_to]', '2028-03-31');
  await page.fill('input[name=scope]', '総務課内に限る');
  await page.check('input[name=confidentiality][value="1"]');
  await page.check('input[name=integrity][value="1"]');
  await page.check('input[name=availability][value="1"]');
  await page.fill('input[name=proc_ref]', '総総第88号');
  await page.fill('input[name=proc_approved_on]', today(-60));
  await page.fill('input[name=proc_vendor_on]', today(-45));
  for (let no = 1; no <= 12; no++) {
    await page.selectOption(`select[name=risk_${no}_decision]`, 'mitigate');
    await page.fill(`input[name=risk_${no}_measure]`, '個人情報・非公開情報を入力しない');
  }
  await Promise.all([
    page.waitForURL(/\/requests\/\d+$/),
    page.getByRole('button', { name: '下書きを保存', exact: true }).click(),
  ]);
  const id = Number(/\/requests\/(\d+)$/.exec(page.url())[1]);
  t.diagnostic(`request #${id} saved`);
  assert.equal(await stateOf(page), '下書き');

  await step(page, id, '事前協議', ASK);
  assert.equal(await stateOf(page), '事前協議中');
  assert.equal(await page.getByRole('button', { name: '協議済みにする' }).count(), 0,
               'the applicant cannot conclude their own consultation');
  noProblems(m);

  // The approver finds it among the consultations waiting, comments, concludes.
  const a = await open('shinsa');
  page = a.page;
  await page.goto('/review');
  await page.locator('main').getByRole('link', { name: `#${id}`, exact: true }).click();
  await page.waitForURL(`**/requests/${id}`);
  assert.match(await text(page.locator('main')), new RegExp(ASK));
  assert.equal(await page.getByRole('button', { name: '承認する' }).count(), 0,
               'nothing to approve during 事前協議');
  await step(page, id, '協議済みにする', ANSWER);
  assert.equal(await stateOf(page), '協議済み');
  noProblems(a);

  // The manager sees the answer and submits.
  page = m.page;
  await page.goto(`/requests/${id}`);
  assert.equal(await stateOf(page), '協議済み');
  assert.match(await text(page.locator('main')), new RegExp(ANSWER));
  await step(page, id, '申請する');
  assert.equal(await stateOf(page), '審査中');
  assert.equal(await page.getByRole('button', { name: '承認する' }).count(), 0,
               'the applicant never sees the approve button');
  noProblems(m);

  // The approver decides from the review page: the consultation is on it.
  page = a.page;
  await page.goto('/review');
  await page.locator('main').getByRole('link', { name: `#${id}`, exact: true }).click();
  await page.waitForLoadState();
  const review = await text(page.locator('main'));
  for (const v of [SVC, ASK, ANSWER, '総総第88号'])
    assert.ok(review.includes(v), `the review page shows ${v}`);
  await step(page, id, '承認する', '研修配信の利用を承認します');
  assert.equal(await stateOf(page), '承認');
  const link = page.getByRole('link', { name: /^台帳番号 \d+$/ });
  assert.equal(await link.count(), 1, 'the approved request links to its ledger entry');
  const entry = Number(/\/ledger\/(\d+)$/.exec(await link.getAttribute('href'))[1]);
  noProblems(a);

  // Anyone reading the ledger sees who concluded the consultation, and what was said.
  const s = await open('shokuin');
  page = s.page;
  await page.goto(`/ledger/${entry}`);
  const history = await text(page.locator('main table').last());
  assert.match(history, /協議済み/);
  assert.match(history, /審査 花子/);
  await page.locator('details.consultation summary').first().click();
  const thread = await text(page.locator('details.consultation').first());
  assert.ok(thread.includes(ASK) && thread.includes(ANSWER), `the entry keeps the thread: ${thread}`);
  assert.match(await text(page.locator('main')), /総総第88号/);
  assert.equal(await page.locator(`a[href="/requests/${id}"]`).count(), 0,
               'staff, who may not open requests, get no link to one');
  noProblems(s);
});
