// Shared helpers for the browser tests and the benchmark: a static server for dist/ and Debian's
// headless Chromium driven by playwright-core (which never downloads a browser of its own).
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, '..', '..');
const require = createRequire(join(root, 'tools', 'package.json'));
const { chromium } = require('playwright-core');

const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json',
};

/** Serves `dir` on 127.0.0.1 at a free port, optionally under a sub-folder prefix. */
export async function serve(dir = join(root, 'dist'), prefix = '/') {
  const server = createServer(async (req, res) => {
    try {
      let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      if (!path.startsWith(prefix)) { res.writeHead(404); res.end(); return; }
      path = path.slice(prefix.length);
      let file = normalize(join(dir, path));
      if (!file.startsWith(dir)) { res.writeHead(403); res.end(); return; }
      if (path === '' || (await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404); res.end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const base = `http://127.0.0.1:${server.address().port}${prefix}`;
  return { base, close: () => new Promise((ok) => server.close(ok)) };
}

/** Launches headless Chromium with the flags this sandbox needs. */
export async function launch() {
  const executablePath = process.env.CHROMIUM ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync);
  if (!executablePath) throw new Error('chromium not found: run scripts/setup.sh --test');
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],  // playwright gives each launch a fresh --user-data-dir
  });
}

/**
 * One static server and one Chromium for a test file: registers node:test's `before` and `after`
 * (passed in, so the benchmark can import this module without node:test) and returns an object
 * whose `server` and `browser` are set once `before` has run.
 */
export function sharedBrowser(before, after) {
  const shared = {};
  before(async () => {
    shared.server = await serve();
    shared.browser = await launch();
  });
  after(async () => {
    await shared.browser?.close();
    await shared.server?.close();
  });
  return shared;
}

/** Waits until the lab's background work is finished (the progress indicator is hidden). */
export const workDone = (page, timeout = 60000) =>
  page.waitForFunction(() => document.querySelector('#pending')?.hidden === true, null, { timeout });

/** A page that records console errors, page errors and failed requests. */
export async function openPage(browser, url, opts = {}) {
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 900 },
    deviceScaleFactor: opts.dpr ?? 1, locale: opts.locale ?? 'en-US', colorScheme: opts.colorScheme ?? 'light', reducedMotion: opts.reducedMotion ?? 'no-preference', hasTouch: opts.hasTouch ?? false });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    // Chromium notes that it ignores the integrity attribute on preloads: noise, not an app error.
    if (m.type() === 'error' && !/integrity/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => {
    // A navigation (reload, language switch) aborts requests still in flight: not an app error.
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`requestfailed: ${r.url()} ${r.failure()?.errorText}`);
  });
  await page.goto(url);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
  return { page, problems, close: () => context.close() };
}

/** A digest of a canvas' pixels: changes whenever what a person sees there changes. A selector
 * that matches several canvases (a figure's stacked layers, e.g. `#aux-bg, #aux`) digests them all
 * in document order. */
export async function canvasDigest(page, selector) {
  return page.$$eval(selector, (cs) => {
    if (!cs.length) throw new Error('no canvas');
    let h = 2166136261 >>> 0, ink = 0;
    for (const c of cs) {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 0; i < d.length; i += 4) {
        h = Math.imul(h ^ d[i], 16777619) >>> 0; h = Math.imul(h ^ d[i + 1], 16777619) >>> 0;
        h = Math.imul(h ^ d[i + 2], 16777619) >>> 0; h = Math.imul(h ^ d[i + 3], 16777619) >>> 0;
        if (d[i + 3] !== 0) ink++;
      }
    }
    return { hash: h, ink, w: cs[0].width, h: cs[0].height };
  });
}

/** The linked chart's two layers, for [`canvasDigest`]. */
export const AUX = '#aux-bg, #aux';

/** Number of distinct colours on a canvas (a blank or single-colour canvas has 1). */
export async function canvasColours(page, selector) {
  return page.$eval(selector, (c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    for (let i = 0; i < d.length && seen.size < 1000; i += 4 * 7) seen.add((d[i] << 24) ^ (d[i + 1] << 16) ^ (d[i + 2] << 8) ^ d[i + 3]);
    return seen.size;
  });
}

export const query = (page) => page.evaluate(() => new URLSearchParams(location.search));

/** Waits until the address bar's `key` is `value` (the page writes the URL a few times a second
 * while a control is being moved, and at once when the change ends). Returns the query string. */
export async function urlHas(page, key, value, timeout = 2000) {
  await page.waitForFunction(([k, v]) => new URLSearchParams(location.search).get(k) === v, [key, value], { timeout }).catch(() => {});
  return page.evaluate(() => location.search);
}
/** The address bar's query once it has settled: unchanged for 300 ms (the page writes it a fraction
 * of a second after changes pause, so a read right after an event may see the state before it). */
export const search = (page) =>
  page.evaluate(
    () =>
      new Promise((done) => {
        let [last, since] = [location.search, performance.now()];
        const tick = () => {
          if (location.search !== last) [last, since] = [location.search, performance.now()];
          if (performance.now() - since >= 300) done(last);
          else setTimeout(tick, 25);
        };
        tick();
      }),
  );

/** Runs axe-core in the page; returns the violations of impact "serious" or "critical". */
export async function axeSerious(page) {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const result = await page.evaluate(async () => {
    // Canvas pixels are not text: axe cannot judge them; everything else is checked.
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
