// Harness for the browser tests: a fresh demo database, our own extsvc
// server on a free loopback port, and Debian's headless Chromium driven by
// playwright-core. Nothing here writes to stdout: the runner's TAP stream is
// the only thing on it.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '..', '..');
export const PASSWORD = 'extsvc-demo-2026';

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
export async function newUserPage(browser, base) {
  const context = await browser.newContext({
    baseURL: base,
    locale: 'ja-JP',
    timezoneId: 'Asia/Tokyo',
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(10000);
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
