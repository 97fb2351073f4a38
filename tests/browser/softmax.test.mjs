// The softmax lab in headless Chromium: dragging the logit point (three classes) and a bar (more
// classes) changes the URL, the pixels and the numbers a person reads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sharedBrowser, openPage, canvasDigest, AUX, search } from './harness.mjs';

const shared = sharedBrowser(before, after);

const softmaxLine = (page) => page.locator('#readouts li', { hasText: /^. ?Softmax p =/ }).first().innerText();

test('softmax: dragging the logit point moves every map and rewrites z in the URL', async () => {
  const { page, problems, close } = await openPage(shared.browser, `${shared.server.base}?lab=softmax`);
  assert.equal(await page.locator('#play').isVisible(), false, 'no animation controls on a static lab');
  const box = await page.locator('#main-fg').boundingBox();
  const fg0 = await canvasDigest(page, '#main-fg');
  const aux0 = await canvasDigest(page, AUX);
  const line0 = await softmaxLine(page);
  assert.match(line0, /p = \(0\.5741, 0\.3482, 0\.0777\)/, 'the spec value is shown');
  // The logit plane is the left half: drag from its centre towards the lower right (raises z₃).
  await page.mouse.move(box.x + box.width * 0.25, box.y + box.height * 0.5);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.36, box.y + box.height * 0.62, { steps: 4 });
  await page.mouse.up();
  const z = new URLSearchParams(await search(page)).get('z');
  assert.ok(z, 'z written to the URL');
  const zs = z.split(',').map(Number);
  assert.equal(zs.length, 3);
  assert.ok(zs[2] > zs[0] && zs[2] > zs[1], `z₃ is now the largest: ${z}`);
  assert.equal(await page.inputValue('#c-z'), z, 'the text field shows the dragged logits');
  assert.notEqual((await canvasDigest(page, '#main-fg')).hash, fg0.hash, 'markers moved');
  assert.notEqual(await softmaxLine(page), line0, 'the softmax readout changed');
  assert.equal((await canvasDigest(page, AUX)).hash === aux0.hash, false, 'small multiples mark the new point');
  // The α slider reshapes entmax's support regions in the small multiples.
  const auxBefore = await canvasDigest(page, AUX);
  await page.fill('#n-alpha', '2.6');
  await page.press('#n-alpha', 'Enter');
  await page.waitForTimeout(100);
  assert.notEqual((await canvasDigest(page, AUX)).hash, auxBefore.hash, 'support regions redrawn');
  assert.equal(new URLSearchParams(await search(page)).get('alpha'), '2.6');
  assert.deepEqual(problems, []);
  await close();
});

test('softmax: more than three logits give a bar editor; dragging a bar sets that logit', async () => {
  const { page, problems, close } = await openPage(shared.browser, `${shared.server.base}?lab=softmax&z=2,1.5,1,0.3,0,-0.5`);
  const box = await page.locator('#main-fg').boundingBox();
  const fg0 = await canvasDigest(page, '#main-fg');
  // Bars sit above the probability chart (top 42% of the figure); class 6 is the rightmost.
  await page.mouse.move(box.x + box.width * 0.9, box.y + box.height * 0.3);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.9, box.y + box.height * 0.08, { steps: 3 });
  await page.mouse.up();
  const zs = new URLSearchParams(await search(page)).get('z').split(',').map(Number);
  assert.equal(zs.length, 6);
  assert.deepEqual(zs.slice(0, 5), [2, 1.5, 1, 0.3, 0], 'other logits untouched');
  assert.ok(zs[5] > 1, `the dragged bar rose: ${zs[5]}`);
  assert.notEqual((await canvasDigest(page, '#main-fg')).hash, fg0.hash);
  // Junk in the field is refused with a message; the figure keeps the last good logits.
  await page.fill('#c-z', '1,2,zz');
  await page.press('#c-z', 'Enter');
  await page.waitForTimeout(100);
  assert.match(await page.locator('.control[data-key="z"]').innerText(), /not a number/);
  assert.equal(new URLSearchParams(await search(page)).get('z').split(',').length, 6);
  assert.deepEqual(problems, []);
  await close();
});
