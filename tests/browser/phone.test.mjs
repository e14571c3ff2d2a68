// Entry of a request on a phone (360×740) and on a desktop (1280×800)
// (issue 7): at each width a manager fills the new-request form, with the
// 機密性2 requirement list showing, and saves it; the document is never
// wider than the window (the page does not scroll sideways), the 格付
// radio buttons sit beside their labels, and what was typed is what was
// saved.
//
// Run with tests/browser/run.sh (TAP on stdout).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  DESKTOP, PHONE, horizontalOverflow, launchBrowser, newUserPage, signIn, startServer, today,
} from './harness.mjs';

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

async function noOverflow(page, where) {
  const over = await horizontalOverflow(page);
  const width = page.viewportSize().width;
  assert.equal(over, 0, `${where} at ${width}px: the document is ${over}px wider than the window`);
}

/* The radio button and the text of its label share a line, the button first. */
async function besideItsLabel(page, radio) {
  const box = await page.locator(radio).boundingBox();
  const label = await page.locator(`label:has(${radio}) b`).boundingBox();
  assert.ok(box && label, `${radio} and its label are shown`);
  const overlap = Math.min(box.y + box.height, label.y + label.height) - Math.max(box.y, label.y);
  assert.ok(overlap > 0, `${radio} sits on the line of its label (radio y=${box.y}, label y=${label.y})`);
  assert.ok(box.x < label.x, `${radio} comes before its label text`);
}

for (const [name, size] of [['phone', PHONE], ['desktop', DESKTOP]]) {
  test(`a manager fills and saves a new request on a ${name} (${size.width}×${size.height})`, async (t) => {
    const u = await newUserPage(browser, server.base, { viewport: size });
    contexts.push(u.context);
    const { page } = u;
    await signIn(page, 'somu');
    await noOverflow(page, 'the dashboard');

    await page.goto('/requests/new');
    await noOverflow(page, 'the empty form');
    const svc = `スマート窓口予約（${name}）`;
    await page.fill('input[name=service_name]', svc);
    await page.fill('input[name=service_function]', '予約受付');
    await page.fill('input[name=provider]', '株式会社周南クラウド');
    await page.selectOption('select[name=category]', 'other');
    await page.fill('input[name=purpose]', '窓口予約の受付');
    // Dates as a city writes them: 和暦, its initial, full width.
    await page.fill('input[name=period_from]', 'R9.4.1');
    await page.fill('input[name=period_to]', '令和１０年３月３１日');
    await page.fill('input[name=scope]', '総務課内に限る');
    await page.check('input[name=confidentiality][value="2"]');
    await page.check('input[name=integrity][value="1"]');
    await page.check('input[name=availability][value="1"]');
    await besideItsLabel(page, 'input[name=confidentiality][value="2"]');
    await besideItsLabel(page, 'input[name=availability][value="1"]');

    // The 機密性2 requirement list: shown, and no wider than the phone.
    await page.locator('fieldset.track.requirements').waitFor({ state: 'visible' });
    await noOverflow(page, 'the form with the requirement list');
    await page.selectOption('select[name=req_9_status]', 'met');
    await page.fill('input[name=req_9_evidence]', '利用規約 第5条');
    await page.selectOption('select[name=req_18_status]', 'unmet');
    await page.fill('input[name=req_18_reason]', '国内限定の代替サービスが他にない');
    await page.fill('input[name=proc_ref]', '総総第77号');
    await page.fill('input[name=proc_approved_on]', today(-60));
    await page.fill('input[name=proc_vendor_on]', today(-45));
    await noOverflow(page, 'the filled form');

    await Promise.all([
      page.waitForURL(/\/requests\/\d+$/),
      page.getByRole('button', { name: '下書きを保存', exact: true }).click(),
    ]);
    const id = Number(/\/requests\/(\d+)$/.exec(page.url())[1]);
    t.diagnostic(`${name}: request #${id} saved`);
    assert.match(await text(page.locator('h1')), new RegExp(`利用申請 #${id}`));
    await noOverflow(page, 'the saved request');
    const fields = await text(page.locator('dl.fields').first());
    for (const v of [svc, '株式会社周南クラウド', '窓口予約の受付', '機密性2', '令和9年4月1日 〜 令和10年3月31日', '総務課内に限る'])
      assert.ok(fields.includes(v), `the saved request shows ${v}`);

    // The edit form comes back with what was typed.
    await page.goto(`/requests/${id}/edit`);
    await noOverflow(page, 'the edit form');
    assert.equal(await page.inputValue('input[name=service_name]'), svc);
    assert.equal(await page.isChecked('input[name=confidentiality][value="2"]'), true);
    assert.equal(await page.inputValue('select[name=req_9_status]'), 'met');
    assert.equal(await page.inputValue('input[name=req_18_reason]'), '国内限定の代替サービスが他にない');
    assert.equal(await page.inputValue('input[name=proc_ref]'), '総総第77号');
    assert.equal(await page.inputValue('input[name=period_to]'), '2028-03-31', 'stored as ISO');
    assert.deepEqual(u.problems, [], 'no console errors, page errors or failed responses');
  });
}
