// Phones: below 600 CSS px the diffusion lab stacks its two panels at full width, and the softmax
// small multiples wrap into rows that keep each support square at least 120 px wide.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sharedBrowser, openPage, workDone } from './harness.mjs';

const shared = sharedBrowser(before, after);
const PHONE = { viewport: { width: 390, height: 844 }, dpr: 2, hasTouch: true };

/** The bounding box (CSS px) of non-transparent pixels of a canvas in rows [y0, y1) (fractions). */
const ink = (page, sel, y0, y1) =>
  page.$eval(sel, (c, [y0, y1]) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const r = c.width / c.clientWidth;
    let [x0, x1, n] = [1e9, -1, 0];
    for (let y = Math.floor(y0 * c.height); y < Math.floor(y1 * c.height); y++)
      for (let x = 0; x < c.width; x++)
        if (d[(y * c.width + x) * 4 + 3] > 0) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); n++; }
    return { x0: x0 / r, x1: x1 / r, n };
  }, [y0, y1]);

test('phone: the diffusion panels stack, each at full width; one panel stays one', async () => {
  const { page, problems, close } = await openPage(shared.browser, `${shared.server.base}?lab=diffusion&autoplay=0`, PHONE);
  await workDone(page, 120000);
  const box = await page.locator('#main-fg').boundingBox();
  assert.ok(box.height > 1.6 * box.width, `stacked: ${box.width}×${box.height}`);
  // Particles (the foreground's ink) in both halves, each spread over most of the width.
  for (const [a, b, name] of [[0, 0.5, 'top'], [0.5, 1, 'bottom']]) {
    const k = await ink(page, '#main-fg', a, b);
    assert.ok(k.n > 200, `${name} panel has particles (${k.n} px)`);
    assert.ok(k.x1 - k.x0 > 0.6 * box.width, `${name} panel spans the width: ${k.x0.toFixed(0)}..${k.x1.toFixed(0)} of ${box.width}`);
  }
  // One sampler: one panel, no longer stacked.
  await page.selectOption('#c-compare', '');
  await page.waitForFunction(() => { const c = document.querySelector('#main-fg'); return c.clientHeight < 1.2 * c.clientWidth; }, null, { timeout: 5000 });
  // On a desktop the panels stay side by side.
  const desk = await openPage(shared.browser, `${shared.server.base}?lab=diffusion&autoplay=0`);
  const b2 = await desk.page.locator('#main-fg').boundingBox();
  assert.ok(b2.height < b2.width, `desktop side by side: ${b2.width}×${b2.height}`);
  assert.deepEqual([...problems, ...desk.problems], []);
  await desk.close();
  await close();
});

test('phone: softmax small multiples wrap into rows with squares ≥ 120 px', async () => {
  const { page, problems, close } = await openPage(shared.browser, `${shared.server.base}?lab=softmax&autoplay=0`, PHONE);
  const aux = await page.locator('#aux').boundingBox();
  const desk = await openPage(shared.browser, `${shared.server.base}?lab=softmax&autoplay=0`);
  const deskAux = await desk.page.locator('#aux').boundingBox();
  assert.ok(deskAux.height <= 260, `desktop: one strip (${deskAux.height} px)`);
  // One multiple per row at 390 px: a square of 390/2 − 8 px and its simplex, per row.
  const rows = Math.round((aux.height - 22) / (aux.width / 2 - 8 + 30));
  assert.ok(rows >= 2, `the multiples wrap into ${rows} rows (${aux.width}×${aux.height})`);
  assert.ok(aux.width / 2 - 8 >= 120, `each square is ≥ 120 px (${aux.width / 2 - 8})`);
  // Every row is drawn: ink in the last row's band too.
  // (Both layers of the chart: its background and its foreground.)
  const n = (await ink(page, '#aux-bg', 1 - 0.5 / rows, 1)).n + (await ink(page, '#aux', 1 - 0.5 / rows, 1)).n;
  assert.ok(n > 500, `the last row is drawn (${n} px)`);
  assert.deepEqual([...problems, ...desk.problems], []);
  await desk.close();
  await close();
});
