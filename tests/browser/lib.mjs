// What the browser tests share: where the server is, the API from Node, a tiny step runner that
// stops at the first failure with a screenshot of every open page, and Chromium itself
// (Debian's /usr/bin/chromium driven by playwright-core; no browser download).
import { chromium } from 'playwright-core';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BASE = (process.env.CARELINK_URL || 'http://127.0.0.1:18090').replace(/\/$/, '');
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHOTS = join(ROOT, 'target', 'browser-screenshots');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const PASSWORD = 'carelink-demo-2026';
export const WAIT = 15_000;
mkdirSync(SHOTS, { recursive: true });

// ---- The district's calendar (Asia/Shanghai, +08:00, no daylight saving) ----
export const shanghaiToday = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
export const addDays = (d, n) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 864e5).toISOString().slice(0, 10);

// ---- The API from Node (other sessions than the browser's) ----
export async function call(token, method, path, body) {
  const res = await fetch(`${BASE}/api/v1${path}`, {
    method,
    headers: { Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}), ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = text; }
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 400)}`);
  return json;
}
export async function pairFor(username, password = PASSWORD) {
  return call(null, 'POST', '/auth/token', { username, password });
}
export async function tokenFor(username, password = PASSWORD) {
  return (await pairFor(username, password)).access_token;
}

// ---- A tiny step runner ----
const started = Date.now();
const results = [];
let browser;
export const pages = [];
const pageProblems = [];
let suite = 'browser';
let shotPrefix = '';

// Names the suite (for the messages) and clears the screenshots of its earlier failures.
export function suiteName(name, prefix = '') {
  suite = name;
  shotPrefix = prefix;
  for (const f of readdirSync(SHOTS)) if (f.startsWith(`FAILED-${prefix}`)) rmSync(join(SHOTS, f));
}

export async function shot(page, name) {
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    if (pageProblems.length) throw new Error(`the page reported errors:\n  ${pageProblems.join('\n  ')}`);
    results.push([name, Date.now() - t0]);
    console.log(`  ok   ${name}  (${Date.now() - t0} ms)`);
  } catch (err) {
    console.error(`  FAIL ${name}  (${Date.now() - t0} ms)\n\n${err && err.stack ? err.stack : err}\n`);
    for (const [i, p] of pages.entries()) {
      try { console.error(`  screenshot: ${await shot(p, `FAILED-${shotPrefix}${i}-${name.replace(/[^a-z0-9]+/gi, '-')}`)}`); } catch { /* closed */ }
    }
    if (browser) await browser.close().catch(() => {});
    console.error(`\n${suite} test FAILED at step "${name}" after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    process.exit(1);
  }
}

export function watch(page, label) {
  pages.push(page);
  page.on('pageerror', (e) => pageProblems.push(`[${label}] uncaught: ${e.message}`));
  page.on('console', (m) => {
    const text = m.text();
    // A CSP violation or a script error is a bug; failed requests we provoke on purpose are not.
    if (m.type() === 'error' && /Content Security Policy|Refused to|TypeError|ReferenceError|SyntaxError/.test(text)) {
      pageProblems.push(`[${label}] console: ${text}`);
    }
  });
}

export async function launch() {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  return browser;
}

export async function finish() {
  if (browser) await browser.close();
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`\n${suite} test passed: ${results.length} steps in ${secs} s; screenshots in ${SHOTS}`);
}
