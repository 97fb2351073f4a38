// Presenter mode: the figure fills the screen and is drawn larger, controls slide over it from a
// drawer, F toggles full screen, and "Things to try" is a stepper driven by ← / → and PageUp /
// PageDown (what presentation clickers send), with the step in the URL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sharedBrowser, openPage, canvasDigest, search } from './harness.mjs';

const shared = sharedBrowser(before, after);
const VIEW = { viewport: { width: 1280, height: 800 } };
const q = async (page) => new URLSearchParams(await search(page));

test('presenter mode: a link to step 2 sets its state; clicker keys step through; the URL keeps the step', async () => {
  const { page, problems, close } = await openPage(shared.browser, `${shared.server.base}?lab=jl&present=1&try=2`, VIEW);
  assert.ok(await page.isHidden('header.site'), 'no site header');
  assert.ok(await page.isHidden('.prose'), 'no prose');
  assert.equal(await page.innerText('#try-count'), '2 / 7');
  assert.match(await page.innerText('#try-point'), /sd of R/);
  assert.equal(await page.inputValue('#n-k'), '300', "step 2's state: k = 300");
  const fig = await page.locator('#main-fg').boundingBox();
  assert.ok(fig.width > 1200 && fig.height > 560, `the figure fills the screen: ${fig.width}×${fig.height}`);
  await page.keyboard.press('PageDown');
  assert.equal(await page.innerText('#try-count'), '3 / 7');
  assert.equal(await page.inputValue('#n-d'), '8000', "step 3's state: d = 8000");
  let u = await q(page);
  assert.equal(u.get('k'), null, 'k is back at its default (not in the URL)');
  assert.equal(u.get('try'), '3');
  assert.equal(u.get('present'), '1');
  assert.equal(u.get('d'), '8000');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('PageUp');
  assert.equal(await page.innerText('#try-count'), '1 / 7');
  u = await q(page);
  assert.equal(u.get('try'), '1');
  assert.equal(u.get('k'), '30');
  // The stepper's own buttons, and the keys still work after clicking one (focus on a button).
  await page.click('#try-next');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.innerText('#try-count'), '3 / 7');
  // Reload: the same step and state.
  await page.reload();
  await page.waitForSelector('body[data-ready="1"]');
  assert.equal(await page.innerText('#try-count'), '3 / 7');
  assert.equal(await page.inputValue('#n-d'), '8000');
  assert.deepEqual(problems, []);
  await close();
});

test('presenter mode: strokes and labels larger, readouts large, controls in a drawer, F for full screen, exit', async () => {
  const normal = await openPage(shared.browser, `${shared.server.base}?lab=optimizers&autoplay=0`, VIEW);
  const fontNormal = await normal.page.$eval('#readouts', (e) => parseFloat(getComputedStyle(e).fontSize));
  const bgNormal = await canvasDigest(normal.page, '#main-bg');
  await normal.page.click('#present-open');
  await normal.page.waitForFunction(() => document.body.classList.contains('present'));
  assert.equal((await q(normal.page)).get('present'), '1', 'the Present button writes present=1');
  await normal.close();

  const { page, problems, close } = await openPage(shared.browser, `${shared.server.base}?lab=optimizers&autoplay=0&present=1`, VIEW);
  const fontPresent = await page.$eval('#readouts', (e) => parseFloat(getComputedStyle(e).fontSize));
  assert.ok(fontPresent >= 1.5 * fontNormal, `readouts ${fontNormal} → ${fontPresent} px`);
  // The figure is drawn at presenter scale: a thicker, larger drawing has more ink per pixel of
  // canvas than the normal one (same lab, same state).
  const bg = await canvasDigest(page, '#main-bg');
  assert.notEqual(bg.hash, bgNormal.hash);
  assert.equal(await page.innerText('#try-count'), '– / 6', 'no step chosen yet');
  // The drawer: closed (off screen, not focusable), then open over the figure.
  const inView = () => page.$eval('aside.controls', (e) => { const r = e.getBoundingClientRect(); return r.left < innerWidth - 10 && getComputedStyle(e).visibility !== 'hidden'; });
  assert.equal(await inView(), false, 'controls drawer closed');
  await page.click('#drawer-open');
  await page.waitForFunction(() => { const r = document.querySelector('aside.controls').getBoundingClientRect(); return r.right <= innerWidth + 1 && r.left < innerWidth - 100; });
  assert.equal(await inView(), true, 'controls drawer open');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => getComputedStyle(document.querySelector('aside.controls')).visibility === 'hidden');
  await page.click('#drawer-open');
  await page.click('#drawer-close');
  await page.waitForFunction(() => getComputedStyle(document.querySelector('aside.controls')).visibility === 'hidden');
  // F: full screen and back.
  await page.locator('#main-fg').click({ position: { x: 5, y: 5 } }).catch(() => {});
  await page.keyboard.press('f');
  await page.waitForFunction(() => document.fullscreenElement !== null, null, { timeout: 3000 });
  await page.keyboard.press('f');
  await page.waitForFunction(() => document.fullscreenElement === null, null, { timeout: 3000 });
  // Exit: the normal page, present gone from the URL.
  await page.click('#present-exit');
  assert.ok(await page.isVisible('header.site'));
  assert.equal((await q(page)).get('present'), null);
  assert.deepEqual(problems, []);
  await close();
});
