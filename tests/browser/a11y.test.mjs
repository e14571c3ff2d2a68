// Accessibility and layout of every page for every role (issue 7): each
// page, signed in as the demo user of each role, is checked in Chromium
//  - by axe-core at WCAG 2.1 A and AA (JIS X 8341-3), at a desktop width
//    and at a phone's, failing on any violation (rule, impact, selectors);
//  - for a document no wider than the window at both widths (no sideways
//    scrolling of the page; wide tables scroll inside their wrapper);
//  - for console errors, uncaught page errors and failed responses;
//  - for form controls without a label tied to them (a placeholder is not
//    one, though axe-core takes it for a name);
//  - for pattern attributes Chromium cannot compile;
//  - for the skip link to <main id="main">, lang="ja" and the JST note.
// The data: the demo, plus entries made through the API so that every
// entry state, a 事前協議 in progress, a refused approval and a change
// are on some page.
//
// Run with tests/browser/run.sh (TAP on stdout).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  DESKTOP, PHONE, ROLE_LOGIN, apiAs, axeViolations, enableAxe, formatViolations, horizontalOverflow,
  invalidPatterns, launchBrowser, newUserPage, signIn, startServer, today, unlabelledControls,
} from './harness.mjs';

let server;
let browser;
const made = {};            // ids of what before() files through the CLI
const contexts = [];

/* A 機密性1 request document (the risk track) with everything an entry
 * page shows: conditions, procurement, cloud provider, data location. */
function riskDocument(name, from, to) {
  const risks = {};
  for (let no = 1; no <= 12; no++)
    risks[no] = no % 3 === 0
      ? { decision: 'mitigate', measure: '個人情報・非公開情報を入力しない運用とする' }
      : { decision: 'accept', reason: '公開情報のみを扱うため影響は小さい' };
  return {
    service: {
      name, function: 'アンケート', provider: '株式会社周南クラウド', category: 'other',
      cloud_provider: 'Example Cloud Inc.', data_location: '日本国内（東京リージョン）',
    },
    purpose: '市民アンケートの収集', personal_information: false,
    classification: { confidentiality: '1', integrity: '1', availability: '1' },
    period: { from, to },
    applicant: { department: '総務部 総務課', name: '周南 太郎' },
    scope: '総務課内に限る',
    procurement: { approval_ref: '総総第45号', approved_on: today(-60), vendor_decided_on: today(-45) },
    risks,
    conditions: [{ text: '回答データは年度末に削除する', status: 'met', evidence: '契約書 第8条' }],
  };
}

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  // Through the API (one CLI process per step is slow under the sanitizers).
  const somu = apiAs(server, 'somu');
  const shinsa = apiAs(server, 'shinsa');
  const step = (who, id, action, comment = undefined) =>
    who('POST', `/requests/${id}/${action}`, comment === undefined ? {} : { comment });
  /* File, consult, conclude, submit and approve; the ledger entry's id. */
  const approvedEntry = async (name, from, to) => {
    const { id } = await somu('POST', '/requests', riskDocument(name, from, to));
    await step(somu, id, 'consult', '事前協議をお願いします');
    await step(shinsa, id, 'conclude', '協議済みとします');
    await step(somu, id, 'submit');
    await step(shinsa, id, 'approve');
    return (await somu('GET', `/requests/${id}`)).entry_id;
  };
  // 利用中 with an approved extension (two versions), 廃止予定, 利用開始前.
  made.active = await approvedEntry('市民アンケート', today(-30), today(300));
  const ext = (await somu('POST', `/ledger/${made.active}/extend`, { to: today(600) })).id;
  await step(somu, ext, 'submit');
  await step(shinsa, ext, 'approve');
  made.retiring = await approvedEntry('施設予約フォーム', today(-30), today(300));
  made.retirement = (await somu('POST', `/ledger/${made.retiring}/retire`, { on: today(30) })).id;
  await step(somu, made.retirement, 'submit');
  await step(shinsa, made.retirement, 'approve');
  made.upcoming = await approvedEntry('研修動画配信', today(30), today(400));
  // A 事前協議 in progress (the approver's 協議済みにする is on its page).
  made.consulting = (await somu('POST', '/requests', riskDocument('議事録作成支援', today(10), today(365)))).id;
  await step(somu, made.consulting, 'consult', 'ご確認ください');
  // Waiting for the approver: a 機密性2 request that answers nothing (the
  // refusal), and an other change of an entry (before → after).
  made.blocked = (await somu('POST', '/requests', {
    service: { name: 'ChatGPT Team', provider: 'OpenAI', category: 'generative-ai' },
    purpose: '議事録の要約', scope: '総務課内に限る',
    classification: { confidentiality: '2', integrity: '1', availability: '1' },
    period: { from: today(10), to: today(365) },
  })).id;
  await step(somu, made.blocked, 'consult');
  await step(shinsa, made.blocked, 'conclude');
  await step(somu, made.blocked, 'submit');
  made.change = (await somu('POST', `/ledger/${made.active}/change`,
                            { purpose: '市民アンケートと結果の公表', scope: '総務部内に限る' })).id;
  await step(somu, made.change, 'submit');
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

/*
 * Check the page now shown: layout at both widths, axe at both, console
 * and patterns. `allowed` matches problems the page is meant to cause (an
 * error page's status).
 */
async function checkPage(u, label, allowed = null) {
  const { page } = u;
  const failures = [];
  for (const size of [DESKTOP, PHONE]) {
    await page.setViewportSize(size);
    const over = await horizontalOverflow(page);
    if (over > 0)
      failures.push(`at ${size.width}px the document is ${over}px wider than the window`);
    const v = await axeViolations(page);
    if (v.length)
      failures.push(`axe at ${size.width}px:\n${formatViolations(v)}`);
  }
  await page.setViewportSize(DESKTOP);
  const unlabelled = await unlabelledControls(page);
  if (unlabelled.length)
    failures.push(`controls without a label tied to them (${unlabelled.length}): ` +
                  `${unlabelled.slice(0, 8).join(', ')}${unlabelled.length > 8 ? ' …' : ''}`);
  const bad = await invalidPatterns(page);
  if (bad.length)
    failures.push(`invalid pattern attributes: ${bad.join('; ')}`);
  // Every page: in Japanese, a skip link to the main content, the zone said.
  const shell = await page.evaluate(() => ({
    lang: document.documentElement.lang,
    skip: document.querySelector('body > a.skip')?.getAttribute('href'),
    main: !!document.querySelector('main#main'),
    zone: /日本時間（JST/.test(document.querySelector('footer')?.textContent || ''),
  }));
  if (shell.lang !== 'ja' || shell.skip !== '#main' || !shell.main || !shell.zone)
    failures.push(`page shell: ${JSON.stringify(shell)}`);
  const problems = u.problems.splice(0).filter((p) => !(allowed && allowed.test(p)));
  if (problems.length)
    failures.push(`console, page errors or failed responses:\n${problems.join('\n')}`);
  assert.equal(failures.length, 0, `${label}\n${failures.join('\n')}`);
}

/* Sign in as `login` and check each page of `pages`: a path, or
 * { path, label, then: async (page) => …, allowed: /problem regex/ }. */
async function sweep(t, login, pages) {
  const u = await newUserPage(browser, server.base, { viewport: DESKTOP });
  contexts.push(u.context);
  await enableAxe(u.context);
  await signIn(u.page, login);
  u.problems.splice(0);
  for (const p of pages) {
    const spec = typeof p === 'string' ? { path: p } : p;
    const label = `${login} ${spec.label || spec.path}`;
    await t.test(label, async () => {
      const res = await u.page.goto(spec.path);
      if (!spec.allowed)
        assert.ok(res.status() < 400, `${spec.path} answered ${res.status()}`);
      if (spec.then)
        await spec.then(u.page);
      await checkPage(u, label, spec.allowed);
    });
  }
}

/*
 * Put a page in the state to check by choosing a radio button through the
 * DOM (the change event included, so the page's script runs). The sweep
 * checks pages, not clicking: forms.test.mjs clicks. A real click waits
 * for the element to be stable over two animation frames, and Chromium's
 * headless mode now and then stops producing frames for a window resized
 * as often as this sweep does on a busy machine (seen in CI: 30 s timeouts
 * on a radio button that was there, enabled and visible).
 */
async function choose(page, selector) {
  await page.locator(selector).evaluate((el) => {
    el.checked = true;
    el.dispatchEvent(new Event('change', { bubbles: true }));
  });
}

const FORBIDDEN = /http 403|status of 403/;

// The roles run side by side, each in its own browser context: most of
// the time goes to waiting on Chromium and the server.
describe('every page for every role', { concurrency: 3 }, () => {
  test('signed out: the sign-in page, also after a wrong password', async (t) => {
    const u = await newUserPage(browser, server.base, { viewport: DESKTOP });
    contexts.push(u.context);
    await enableAxe(u.context);
    await t.test('/login', async () => {
      await u.page.goto('/login');
      await checkPage(u, '/login');
    });
    await t.test('/login after a wrong password', async () => {
      await u.page.fill('input[name=login]', 'somu');
      await u.page.fill('input[name=password]', 'wrong-password');
      await Promise.all([u.page.waitForLoadState(), u.page.getByRole('button', { name: 'サインイン' }).click()]);
      assert.equal(await u.page.locator('.notice.error').count(), 1, 'the refusal is shown');
      await checkPage(u, '/login refused', /http 401|status of 401/);
    });
  });

  // One of each kind of page per role (the same template in another state
  // adds time, not coverage): the whole sweep is about 35 pages, each at two
  // widths.
  test('staff', async (t) => {
    await sweep(t, ROLE_LOGIN.staff, [
      '/', '/ledger?state=all', `/ledger/${made.retiring}`, `/ledger/${made.upcoming}`,
      { path: '/requests/1', label: '/requests/1 (refused: the error page)', allowed: FORBIDDEN },
    ]);
  });

  test('manager', async (t) => {
    await sweep(t, ROLE_LOGIN.manager, [
      '/', '/ledger', `/ledger/${made.active}`, '/requests',
      { path: '/requests/new', label: '/requests/new (no 格付 chosen)' },
      {
        path: '/requests/new',
        label: '/requests/new with 機密性1 (リスクの検討)',
        then: async (page) => choose(page, 'input[name=confidentiality][value="1"]'),
      },
      {
        path: '/requests/new',
        label: '/requests/new with 機密性2 after 評価する (要件一覧, the evaluation panel)',
        then: async (page) => {
          await page.fill('input[name=service_name]', '評価だけのサービス');
          await choose(page, 'input[name=confidentiality][value="2"]');
          // The page before has no evaluation: its panel is the answer's.
          await page.getByRole('button', { name: '評価する' }).evaluate((b) => b.click());
          await page.locator('section.evaluation').waitFor();
          await choose(page, 'input[name=confidentiality][value="2"]');
        },
      },
      '/requests/4', '/requests/4/edit', `/requests/${made.consulting}`,
      `/ledger/${made.active}/change`,
    ]);
  });

  test('manager of another department', async (t) => {
    await sweep(t, 'kyoiku', ['/ledger/1', '/requests/5', '/requests/5/edit']);
  });

  test('approver', async (t) => {
    await sweep(t, ROLE_LOGIN.approver, [
      '/', '/review', '/requests/3', `/requests/${made.consulting}`, `/requests/${made.blocked}`,
      `/requests/${made.change}`, `/requests/${made.retirement}`, `/ledger/${made.active}`,
      '/ledger/import',
    ]);
  });

  test('ciso', async (t) => {
    await sweep(t, ROLE_LOGIN.ciso, ['/', '/catalogue', '/audit', '/requests/1', '/ismap']);
  });

  test('auditor', async (t) => {
    await sweep(t, ROLE_LOGIN.auditor, ['/', '/audit?object=request%3A1', '/requests']);
  });

  test('admin', async (t) => {
    await sweep(t, ROLE_LOGIN.admin, [
      '/', '/ledger',
      {
        path: '/users',
        label: '/users (the add form filled and checked)',
        then: async (page) => {
          // Chromium reports an invalid pattern only once a value is checked.
          await page.fill('input[name=login]', 'new.user-1');
          assert.equal(await page.locator('input[name=login]').evaluate((el) => el.checkValidity()), true,
                       'a login of letters, digits, . _ - is valid');
          await page.fill('input[name=login]', 'bad login!');
          assert.equal(await page.locator('input[name=login]').evaluate((el) => el.checkValidity()), false,
                       'a login with a space is not');
        },
      },
    ]);
  });

  test('keyboard: the skip link comes first, shows its focus, and leads past the navigation', async () => {
    const u = await newUserPage(browser, server.base, { viewport: DESKTOP });
    contexts.push(u.context);
    const { page } = u;
    await signIn(page, ROLE_LOGIN.manager);
    await page.goto(`/ledger/${made.active}`);
    await page.keyboard.press('Tab');
    const skip = await page.evaluate(() => {
      const el = document.activeElement;
      const box = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      return {
        text: el.textContent, href: el.getAttribute('href'), top: box.top, height: box.height,
        outline: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth),
      };
    });
    assert.equal(skip.text, '本文へ移動', 'the first Tab reaches the skip link');
    assert.equal(skip.href, '#main');
    assert.ok(skip.top >= 0 && skip.height > 0, `the focused skip link is on screen (top ${skip.top})`);
    assert.ok(skip.outline !== 'none' && skip.outlineWidth >= 2,
              `a visible focus outline (${skip.outline} ${skip.outlineWidth}px)`);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    const next = await page.evaluate(() => ({
      inMain: !!document.activeElement.closest('main'),
      what: document.activeElement.outerHTML.slice(0, 120),
      outline: getComputedStyle(document.activeElement).outlineStyle,
    }));
    assert.ok(next.inMain, `after the skip link, Tab lands in the main content: ${next.what}`);
    assert.notEqual(next.outline, 'none', `the focused control shows its focus: ${next.what}`);
    assert.deepEqual(u.problems, []);
  });
});
