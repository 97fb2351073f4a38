// The attention lab in headless Chromium: what a person sees when they change the map, hover a
// matrix, move a slider and ask for a causal mask on dual softmax; a large case computes its
// spectra and curves in chunks under a progress bar while frames keep coming.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sharedBrowser, workDone as done, openPage, canvasDigest, AUX, search, urlHas } from './harness.mjs';

const shared = sharedBrowser(before, after);

const readout = (page, label) => page.locator('#readouts li', { hasText: label }).first().innerText();

test('attention: choosing a map redraws the matrices and writes map= to the URL', async () => {
  const { page, problems, close } = await openPage(shared.browser, `${shared.server.base}?lab=attention`);
  await done(page);
  const bg0 = await canvasDigest(page, '#main-bg');
  const rank0 = await readout(page, 'Numerical rank');
  assert.match(rank0, /softmax 32 of 32 · elu \+ 1 \(linear attention\) 4 \(bound 4\)/, rank0);
  await page.selectOption('#c-map', 'performer');
  assert.match(await urlHas(page, 'map', 'performer'), /map=performer/);
  await done(page);
  assert.notEqual((await canvasDigest(page, '#main-bg')).hash, bg0.hash, 'the right matrix changed');
  const rank1 = await readout(page, 'Numerical rank');
  assert.match(rank1, /Performer \(positive random features\) 16 \(bound 16\)/, rank1);
  assert.equal(await page.locator('.control[data-key="m"]').isVisible(), true, 'm applies to the Performer');
  assert.deepEqual(problems, []);
  await close();
});

test('attention: hovering a matrix shows the query row, the key column and both weights', async () => {
  const { page, problems, close } = await openPage(shared.browser, `${shared.server.base}?lab=attention&preset=literal&n=6&d=2&scale=none`);
  await done(page);
  const box = await page.locator('#main-fg').boundingBox();
  // Sweep the upper-left part of the figure until the pointer is over the left matrix.
  let text = '';
  for (let fy = 0.04; fy < 0.4 && !/query 1,/.test(text); fy += 0.03) {
    for (let fx = 0.04; fx < 0.4 && !/query 1,/.test(text); fx += 0.04) {
      await page.mouse.move(box.x + box.width * fx, box.y + box.height * fy);
      await page.waitForTimeout(20);
      text = await page.locator('.hover').innerText();
    }
  }
  assert.match(text, /query 1, key \d: softmax 0\.\d+ · elu1 0\.\d+/, text);
  // Row 1 of softmax on the literal inputs is the spec's W2-T1 row.
  const w2t1 = ['0.4039', '0.1669', '0.06409', '0.04722', '0.08408', '0.2339'];
  const key = Number(/key (\d)/.exec(text)[1]);
  assert.ok(text.includes(`softmax ${w2t1[key - 1]}`), `${text} shows softmax A(1, ${key}) = ${w2t1[key - 1]}`);
  assert.deepEqual(problems, []);
  await close();
});

test('attention: the n slider changes the URL, the figure and the entropy readout', async () => {
  const { page, problems, close } = await openPage(shared.browser, `${shared.server.base}?lab=attention`);
  await done(page);
  const bg0 = await canvasDigest(page, '#main-bg');
  const aux0 = await canvasDigest(page, AUX);
  const h0 = await readout(page, 'Mean row entropy');
  const slider = page.locator('.control[data-key="n"] input[type="range"]');
  await slider.focus();
  for (let i = 0; i < 12; i++) await page.keyboard.press('ArrowRight');
  await done(page);
  const n = Number(new URLSearchParams(await search(page)).get('n'));
  assert.ok(n > 32, `n raised in the URL: ${n}`);
  assert.equal(await page.inputValue('#n-n'), String(n));
  assert.notEqual((await canvasDigest(page, '#main-bg')).hash, bg0.hash, 'matrices redrawn');
  assert.notEqual((await canvasDigest(page, AUX)).hash, aux0.hash, 'linked charts redrawn');
  const h1 = await readout(page, 'Mean row entropy');
  assert.notEqual(h1, h0, 'entropy readout changed');
  assert.match(h1, new RegExp(`ln n = ${Math.log(n).toPrecision(4).replace('.', '\\.')}`), h1);
  assert.deepEqual(problems, []);
  await close();
});

test('attention: a causal mask on dual softmax is refused with a visible notice', async () => {
  const { page, problems, close } = await openPage(shared.browser, `${shared.server.base}?lab=attention&map=dual&causal=1`);
  await done(page);
  const warn = page.locator('#readouts li', { hasText: 'Causal mask' }).first();
  assert.match(await warn.innerText(), /refused for dual softmax/);
  // The page's notice, by key: exactly one, saying the mask is kept but not applied.
  const notice = page.locator('#notice li[data-key="causal"]');
  assert.equal(await notice.count(), 1);
  assert.match(await notice.innerText(), /'causal' not applied: dual softmax normalises K/);
  assert.equal(await page.locator('#notice').isVisible(), true);
  assert.equal(await page.locator('.control[data-key="causal"]').isVisible(), false, 'the toggle is not offered for dual');
  // Another map takes the mask: the notice goes and the toggle comes back, checked.
  await page.selectOption('#c-map', 'elu1');
  await done(page);
  assert.equal(await page.locator('#readouts li', { hasText: 'refused' }).count(), 0);
  assert.equal(await page.locator('#notice li[data-key="causal"]').count(), 0, 'the notice is gone');
  assert.equal(await page.locator('#c-causal').isChecked(), true);
  // Back to dual with the mask still asked for: the notice returns, once.
  await page.selectOption('#c-map', 'dual');
  await done(page);
  assert.equal(await page.locator('#notice li[data-key="causal"]').count(), 1);
  await page.selectOption('#c-map', 'elu1');
  await done(page);
  assert.match(await readout(page, 'RNN form'), /max \|RNN − masked matrix\| over all outputs = /);
  assert.deepEqual(problems, []);
  await close();
});

test('attention: the refused mask is one typed notice in Chinese too, and goes with the conflict', async () => {
  const { page, problems, close } = await openPage(shared.browser, `${shared.server.base}?lab=attention&map=dual&causal=1&lang=zh`);
  await done(page);
  const notice = page.locator('#notice li[data-key="causal"]');
  assert.equal(await notice.count(), 1);
  assert.match(await notice.innerText(), /未应用“causal”：对偶 softmax/);
  await page.selectOption('#c-map', 'softmax');
  await done(page);
  assert.equal(await page.locator('#notice li').count(), 0);
  assert.equal(await page.locator('#notice').isVisible(), false);
  assert.deepEqual(problems, []);
  await close();
});

test('attention: n = 256, d = 64 Performer computes spectra and curves in chunks; frames keep coming', async () => {
  const { page, problems, close } = await openPage(shared.browser, `${shared.server.base}?lab=attention&n=256&d=64&map=performer&m=256`);
  const frames = await page.evaluate(() => new Promise((ok) => {
    let n = 0;
    const t0 = performance.now();
    const f = () => { n++; if (performance.now() - t0 < 300) requestAnimationFrame(f); else ok(n); };
    requestAnimationFrame(f);
  }));
  assert.ok(frames >= 5, `${frames} animation frames in 300 ms while computing`);
  await done(page, 120000);
  assert.match(await readout(page, 'Numerical rank'), /softmax \d+ of 256 · Performer \(positive random features\) \d+ \(bound 256\)/);
  assert.deepEqual(problems, []);
  await close();
});
