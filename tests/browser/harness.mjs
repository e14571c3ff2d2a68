// Harness for the browser tests: a fresh demo database, our own extsvc
// server on a free loopback port, and Debian's headless Chromium driven by
// playwright-core. Nothing here writes to stdout: the runner's TAP stream is
// the only thing on it.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '..', '..');
export const PASSWORD = 'extsvc-demo-2026';

/* The demo login that stands for each role (`extsvc demo`). */
export const ROLE_LOGIN = {
  staff: 'shokuin',
  manager: 'somu',
  approver: 'shinsa',
  ciso: 'ciso',
  auditor: 'kansa',
  admin: 'admin',
};

/* YYYY-MM-DD of the server's today plus `days`: the server decides entry
 * states (利用開始前, 利用中, …) and procurement warnings by its local date,
 * or by $EXTSVC_TODAY where that is set (core/date.c). */
export function today(days = 0) {
  const fixed = /^(\d{4})-(\d{2})-(\d{2})$/.exec(process.env.EXTSVC_TODAY || '');
  const now = new Date();
  const base = fixed ? Date.UTC(+fixed[1], +fixed[2] - 1, +fixed[3])
                     : Date.UTC(now.getFullYear(), now.getMonth(), now.getDate());
  return new Date(base + days * 86400e3).toISOString().slice(0, 10);
}

/* The widths the pages must work at: a phone and a desktop. */
export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 800 };

export function extsvcBinary() {
  const bin = process.env.EXTSVC_BIN || path.join(repo, 'build', 'extsvc');
  if (!fs.existsSync(bin))
    throw new Error(`extsvc binary not found at ${bin} (set EXTSVC_BIN or build into ./build)`);
  return bin;
}

export function chromiumPath() {
  return process.env.CHROMIUM || '/usr/bin/chromium';
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* A running server over a fresh `extsvc demo` database. */
export async function startServer() {
  const bin = extsvcBinary();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'extsvc-browser-'));
  const db = path.join(dir, 'demo.db');
  const demo = spawnSync(bin, ['--db', db, 'demo'], { encoding: 'utf8' });
  if (demo.status !== 0)
    throw new Error(`extsvc demo failed (${demo.status}): ${demo.stderr}${demo.stdout}`);
  const logPath = path.join(dir, 'server.log');

  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const log = fs.openSync(logPath, 'a');
    const child = spawn(bin, ['--db', db, 'serve', '--listen', `127.0.0.1:${port}`], {
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    let exited = null;
    child.on('exit', (code, signal) => { exited = { code, signal }; });
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 10000;
    while (Date.now() < deadline && !exited) {
      try {
        const res = await fetch(`${base}/login`);
        if (res.ok) {
          await res.arrayBuffer();
          return {
            base, db, dir, logPath, child,
            log: () => fs.readFileSync(logPath, 'utf8'),
            /* SIGTERM, then how the server ended: { code, signal, log }. */
            async stop({ keep = false } = {}) {
              if (!exited) {
                const done = new Promise((r) => child.once('exit', r));
                child.kill('SIGTERM');
                const t = setTimeout(() => child.kill('SIGKILL'), 10000);
                await done;
                clearTimeout(t);
              }
              const log = fs.readFileSync(logPath, 'utf8');
              if (!keep)
                fs.rmSync(dir, { recursive: true, force: true });
              return { ...exited, log };
            },
          };
        }
      } catch {
        /* not listening yet */
      }
      await sleep(50);
    }
    if (!exited)
      child.kill('SIGKILL');
  }
  throw new Error(`extsvc serve did not start; log:\n${fs.readFileSync(logPath, 'utf8')}`);
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/*
 * A new browser context (its own cookies, so its own session) with one
 * page. Console errors and uncaught page errors (a CSP violation shows up
 * as a console error) are collected in `problems`.
 */
export async function newUserPage(browser, base, { viewport = { width: 1280, height: 900 } } = {}) {
  const context = await browser.newContext({
    baseURL: base,
    locale: 'ja-JP',
    timezoneId: 'Asia/Tokyo',
    viewport,
  });
  // Generous: a busy CI machine (two cores, several suites at once) can
  // take seconds to load a page under the sanitizers.
  context.setDefaultTimeout(30000);
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() !== 'error')
      return;
    const where = m.location() && m.location().url ? ` (${m.location().url})` : '';
    // The app serves no /favicon.ico; Chromium asks for it on every page.
    if (/favicon\.ico/.test(where))
      return;
    problems.push(`console: ${m.text()}${where}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400)
      problems.push(`http ${r.status()}: ${r.request().method()} ${new URL(r.url()).pathname}`);
  });
  return { context, page, problems };
}

/* Sign in through the form at /login; returns once the dashboard shows. */
export async function signIn(page, login, password = PASSWORD) {
  await page.goto('/login');
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', password);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/login')),
    page.getByRole('button', { name: 'サインイン' }).click(),
  ]);
}

/* Run `extsvc --db DB ARGS…` on the server's database (SQLite lets the
 * CLI write beside the running server), with `input` on stdin; the parsed
 * --json output where asked for, else stdout. Throws on a non-zero exit. */
export function cli(server, args, input = undefined) {
  const res = spawnSync(extsvcBinary(), ['--db', server.db, ...args], { encoding: 'utf8', input });
  if (res.status !== 0)
    throw new Error(`extsvc ${args.join(' ')} failed (${res.status}): ${res.stderr}`);
  return args.includes('--json') ? JSON.parse(res.stdout) : res.stdout;
}

/*
 * The JSON API as `login`, with a Bearer token made by the CLI: a function
 * (method, path, body) → the parsed answer, throwing unless it is 2xx.
 * Faster than one CLI process per step for setting up many requests.
 */
export function apiAs(server, login) {
  const token = cli(server, ['token', 'create', '--as', login]).trim().split('\n').pop().trim();
  return async (method, path, body = undefined) => {
    const res = await fetch(`${server.base}/api/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok)
      throw new Error(`${login}: ${method} ${path} answered ${res.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  };
}

/* --- accessibility (axe-core) and layout checks --------------------------- */

const require = createRequire(import.meta.url);
let axeSource = null;

/* The WCAG 2.1 A and AA rules of axe-core (JIS X 8341-3:2016 follows WCAG 2.0;
 * issue 7 asks for 2.1 AA). */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/*
 * Make axe-core available on every page the context opens. axe.min.js is
 * added as an init script (through the DevTools protocol, before the
 * page's own scripts): page.addScriptTag would add an inline <script>,
 * which the application's Content-Security-Policy (default-src 'self')
 * rightly refuses, and turning that policy off (bypassCSP) would hide the
 * violations of it that the console check is there to catch. It is also
 * faster than evaluating the 500 kB source again after each navigation.
 */
export async function enableAxe(context) {
  await context.addInitScript({ path: require.resolve('axe-core/axe.min.js') });
}

/* Run axe-core on the page as it is now; the violations, each as
 * { id, impact, help, targets: [selector…] }. */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    axeSource ??= fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
    await page.evaluate(axeSource);
  }
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    AXE_TAGS);
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map((n) => n.target.join(' ')),
  }));
}

/* Violations as lines for a failure message: rule, impact, selectors. */
export function formatViolations(violations, max = 8) {
  return violations.map((v) => {
    const more = v.targets.length > max ? ` … (${v.targets.length} in all)` : '';
    return `${v.id} [${v.impact}] ${v.help}: ${v.targets.slice(0, max).join(', ')}${more}`;
  }).join('\n');
}

/* How far the document is wider than the window (0: no sideways scroll). */
export async function horizontalOverflow(page) {
  return page.evaluate(() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth));
}

/*
 * The pattern attributes on the page that Chromium cannot compile. It
 * compiles them with the v flag (where "-" in a class must be escaped)
 * and only reports a bad one, in the console, once a value is checked.
 */
export async function invalidPatterns(page) {
  return page.evaluate(() => [...document.querySelectorAll('input[pattern]')].flatMap((el) => {
    try {
      new RegExp(`^(?:${el.getAttribute('pattern')})$`, 'v');
      return [];
    } catch (err) {
      return [`${el.name || el.id}: ${el.getAttribute('pattern')} (${err.message})`];
    }
  }));
}

/*
 * Form controls with no label tied to them: neither a <label> (wrapping it
 * or for=its id) nor aria-labelledby / aria-label. A placeholder is not a
 * label (it disappears once typed over; issue 7), though axe-core accepts
 * it as a name. Visible controls only; each as "tag[name]".
 */
export async function unlabelledControls(page) {
  return page.evaluate(() => [...document.querySelectorAll('input, select, textarea')].flatMap((el) => {
    if (['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type) || !el.checkVisibility())
      return [];
    if (el.labels.length || el.getAttribute('aria-labelledby') || (el.getAttribute('aria-label') || '').trim())
      return [];
    return [`${el.tagName.toLowerCase()}[name=${el.name}]${el.placeholder ? ` (placeholder only: ${el.placeholder})` : ''}`];
  }));
}
