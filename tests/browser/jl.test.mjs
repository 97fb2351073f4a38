// The Johnson–Lindenstrauss lab in headless Chromium: the same numbers as native for the same seed,
// the k slider, and a large case computed in chunks under a progress bar while the page stays live.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedBrowser, workDone as done, openPage, canvasDigest, search, root } from './harness.mjs';

const shared = sharedBrowser(before, after);

const stats = (page) => page.locator('#readouts li', { hasText: /median/ }).first().innerText();

test('jl: same seed, same numbers as native (tests/golden/jl_pinned.json)', async () => {
  const pinned = JSON.parse(readFileSync(join(root, 'tests', 'golden', 'jl_pinned.json'), 'utf8'));
  const { page, problems, close } = await openPage(shared.browser, `${shared.server.base}?lab=jl&${pinned.query}`);
  await done(page);
  const text = await page.locator('#readouts').innerText();
  assert.ok(text.includes(pinned.stats), `statistics as native: ${pinned.stats}\n${text}`);
  assert.ok(text.includes(pinned.empirical), `empirical k as native: ${pinned.empirical}`);
  assert.deepEqual(problems, []);
  await close();
});

test('jl: the k slider changes the URL, the histogram and the statistics', async () => {
  const { page, problems, close } = await openPage(shared.browser, `${shared.server.base}?lab=jl&n=80&d=300&k=40`);
  await done(page);
  const fg0 = await canvasDigest(page, '#main-fg');
  const s0 = await stats(page);
  const slider = page.locator('.control[data-key="k"] input[type="range"]');
  await slider.focus();
  for (let i = 0; i < 25; i++) await page.keyboard.press('ArrowRight');
  await done(page);
  const k = Number(new URLSearchParams(await search(page)).get('k'));
  assert.ok(k > 40, `k raised in the URL: ${k}`);
  assert.equal(await page.inputValue('#n-k'), String(k));
  assert.notEqual((await canvasDigest(page, '#main-fg')).hash, fg0.hash, 'histogram redrawn');
  const s1 = await stats(page);
  assert.notEqual(s1, s0, 'statistics changed');
  const sd = (s) => Number(/sd ([0-9.]+)/.exec(s)[1]);
  assert.ok(sd(s1) < sd(s0), `a larger k distorts less: sd ${sd(s0)} → ${sd(s1)}`);
  assert.deepEqual(problems, []);
  await close();
});

test('jl: a large projection runs in chunks under a progress bar; the page keeps drawing frames', async () => {
  const { page, problems, close } = await openPage(shared.browser, `${shared.server.base}?lab=jl&n=1000&d=1000&k=300`);
  assert.equal(await page.locator('#pending').isVisible(), true, 'progress shown while projecting');
  // Frames keep coming while the work runs (a blocked page would deliver none).
  const frames = await page.evaluate(() => new Promise((ok) => {
    let n = 0;
    const t0 = performance.now();
    const f = () => { n++; if (performance.now() - t0 < 300) requestAnimationFrame(f); else ok(n); };
    requestAnimationFrame(f);
  }));
  assert.ok(frames >= 5, `${frames} animation frames in 300 ms while computing`);
  await done(page, 120000);
  assert.match(await stats(page), /median/);
  assert.match(await page.locator('#readouts').innerText(), /uniform sample of 50000 of the 499500 pairs/);
  assert.deepEqual(problems, []);
  await close();
});
