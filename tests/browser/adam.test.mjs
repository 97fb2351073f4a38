// The Adam lab in headless Chromium: the readouts the issue names, switching between the two modes
// (pixels, URL, readouts), a slider that moves a shown number, and the ε preset that kills the
// post's surge but not the exact one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sharedBrowser, openPage, canvasDigest, AUX, search, urlHas } from './harness.mjs';

const shared = sharedBrowser(before, after);

const readouts = (page) => page.locator('#readouts').innerText();
const line = (page, re) => page.locator('#readouts li', { hasText: re }).first().innerText();

test('adam: the hessian view shows the closed forms; switching to batch changes pixels, URL and readouts', async () => {
  const { page, problems, close } = await openPage(shared.browser, `${shared.server.base}?lab=adam`);
  assert.equal(await page.locator('#play').isVisible(), false, 'a static lab: no transport buttons');
  const text = await readouts(page);
  assert.match(text, /√E\[g²\] \(closed form\)[^\n]*\(0\.1, 10\)/, `W1-T1 shown:\n${text}`);
  assert.match(text, /cond\(P\^½HP\^½\)[^\n]*jitter 1 · per-sample 10/, 'W1-T2 at φ = 0 shown');
  assert.match(text, /√v̂ \(simulated\)[^\n]*after 2000 steps/);
  const fg0 = await canvasDigest(page, '#main-fg');
  const bg0 = await canvasDigest(page, '#main-bg');
  const aux0 = await canvasDigest(page, AUX);
  await page.selectOption('#c-mode', 'batch');
  assert.match(await urlHas(page, 'mode', 'batch'), /mode=batch/, 'mode written to the URL');
  await page.waitForFunction(() => /surge/.test(document.querySelector('#readouts')?.innerText ?? ''));
  const fg1 = await canvasDigest(page, '#main-fg');
  const bg1 = await canvasDigest(page, '#main-bg');
  assert.ok(fg1.hash !== fg0.hash || bg1.hash !== bg0.hash, 'the main figure changed');
  assert.notEqual((await canvasDigest(page, AUX)).hash, aux0.hash, 'the linked charts changed');
  const b = await readouts(page);
  for (const label of ['η_max', 'B_noise', 'B_simple', 'β_noise']) assert.ok(b.includes(label), `readout ${label}:\n${b}`);
  assert.match(b, /surge[^\n]*yes \(post\) · yes \(exact\)/);
  assert.match(b, /Peak \(exact\)[^\n]*B = 55\.2462, η\* = 0\.315312/, 'W1-T8 ε = 0.5 exact peak');
  // Back: the hessian controls return.
  await page.selectOption('#c-mode', 'hessian');
  await page.waitForFunction(() => /closed form/.test(document.querySelector('#readouts')?.innerText ?? ''));
  assert.equal(new URLSearchParams(await search(page)).get('mode'), null, 'the default mode leaves the URL');
  assert.deepEqual(problems, []);
  await close();
});

test('adam: the φ slider moves the condition numbers; φ = 45° makes the jitter preconditioner useless', async () => {
  const { page, problems, close } = await openPage(shared.browser, `${shared.server.base}?lab=adam`);
  const c0 = await line(page, /cond\(P/);
  const fg0 = await canvasDigest(page, '#main-fg');
  const slider = page.locator('.control[data-key="phi"] input[type="range"]');
  await slider.focus();
  for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowRight');
  const phi = Number(new URLSearchParams(await search(page)).get('phi'));
  assert.ok(phi > 0, `φ raised in the URL: ${phi}`);
  assert.equal(await page.inputValue('#n-phi'), String(phi));
  assert.notEqual(await line(page, /cond\(P/), c0, 'condition numbers changed');
  assert.notEqual((await canvasDigest(page, '#main-fg')).hash, fg0.hash, 'ellipses and cloud redrawn');
  await page.fill('#n-phi', '45');
  await page.press('#n-phi', 'Enter');
  await page.waitForFunction(() => /jitter 100 /.test(document.querySelector('#readouts')?.innerText ?? ''));
  assert.match(await line(page, /cond\(P/), /none 100 · jitter 100 · per-sample 100/);
  assert.deepEqual(problems, []);
  await close();
});

test('adam: ε = 1.5 kills the post\'s surge but not the exact one', async () => {
  const { page, problems, close } = await openPage(shared.browser, `${shared.server.base}?lab=adam&mode=batch`);
  const fg0 = await canvasDigest(page, '#main-fg');
  const s0 = await line(page, /η\* at b/);
  await page.fill('#n-eps', '1.5');
  await page.press('#n-eps', 'Enter');
  await page.waitForFunction(() => /no \(post\) · yes \(exact\)/.test(document.querySelector('#readouts')?.innerText ?? ''));
  assert.equal(new URLSearchParams(await search(page)).get('eps'), '1.5');
  assert.match(await line(page, /Peak \(post\)/), /none/);
  assert.notEqual(await line(page, /η\* at b/), s0, 'η* at the marked b changed');
  assert.notEqual((await canvasDigest(page, '#main-fg')).hash, fg0.hash, 'curves redrawn');
  // The marked-b slider moves the η* readout.
  const e0 = await line(page, /η\* at b/);
  const slider = page.locator('.control[data-key="b"] input[type="range"]');
  await slider.focus();
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
  await page.waitForFunction((old) => [...document.querySelectorAll('#readouts li')].some((li) => /η\* at b/.test(li.innerText) && li.innerText !== old), e0);
  assert.ok(Number(new URLSearchParams(await search(page)).get('b')) > 64, 'b raised in the URL');
  assert.deepEqual(problems, []);
  await close();
});

test('adam: the toy 2-D problem is editable: a new H moves η_max and the URL; a matrix that is not positive definite is marked and refused', async () => {
  const { page, problems, close } = await openPage(shared.browser, `${shared.server.base}?lab=adam&mode=batch&opt=sgd&model=toy2d`);
  assert.match(await line(page, /η_max/), /0\.27777/);
  assert.equal(await page.locator('.control[data-key="h"]').isVisible(), true);
  const fg0 = await canvasDigest(page, '#main-fg');
  await page.fill('#c-h', '2,-0.9,1');
  await page.fill('#c-g', '2,-1');
  await page.press('#c-g', 'Tab');
  // gᵀg/gᵀHg = 5/12.6 = 0.3968…
  await page.waitForFunction(() => /η_max[^\n]*0\.39682/.test(document.querySelector('#readouts')?.innerText ?? ''));
  await page.waitForFunction(() => new URLSearchParams(location.search).get('h') === '2,-0.9,1');
  assert.equal(new URLSearchParams(await search(page)).get('g'), '2,-1');
  assert.notEqual((await canvasDigest(page, '#main-fg')).hash, fg0.hash, 'curves redrawn');
  // Not positive definite: the field is marked with the reason, the last good H stays in use.
  await page.fill('#c-h', '1,2,1');
  assert.equal(await page.getAttribute('#c-h', 'aria-invalid'), 'true');
  assert.match(await page.locator('.control[data-key="h"] .caret').innerText(), /positive definite/);
  assert.match(await line(page, /η_max/), /0\.39682/);
  await page.press('#c-h', 'Tab');
  assert.equal(new URLSearchParams(await search(page)).get('h'), '2,-0.9,1');
  // The uniform problem does not offer the toy keys.
  await page.selectOption('#c-model', 'uniform');
  assert.equal(await page.locator('.control[data-key="h"]').isVisible(), false);
  assert.deepEqual(problems, []);
  await close();
});
