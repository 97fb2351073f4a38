// The Gaussians lab in headless Chromium: dragging an ellipse handle and moving a slider change the
// divergences a person reads, the pixels and the URL; each mode draws its own figure and readouts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sharedBrowser, workDone, openPage, canvasDigest, AUX, search } from './harness.mjs';

const shared = sharedBrowser(before, after);

const klLine = (page) => page.locator('#readouts li', { hasText: /^. ?KL\(p‖q\)/ }).first().innerText();
const readouts = (page) => page.locator('#readouts').innerText();

/** Page coordinates of a data point on the 2-D plots (fixed window [−6, 6]², equal aspect). */
async function toPage(page, x, y) {
  const b = await page.locator('#main-fg').boundingBox();
  // plotters' layout: 10 px margins, 46 px for the y labels on the left, 34 px for the x labels below.
  const left = b.x + 56, top = b.y + 10, pw = b.width - 66, ph = b.height - 54;
  const span = 12, sx = pw / ph > 1 ? span * pw / ph : span, sy = pw / ph > 1 ? span : span * ph / pw;
  return [left + (x + sx / 2) / sx * pw, top + (sy / 2 - y) / sy * ph];
}

test('gaussians: dragging q\'s axis handle reshapes q and changes KL, pixels and the URL', async () => {
  const { page, problems, close } = await openPage(shared.browser, `${shared.server.base}?lab=gaussians`);
  assert.equal(await page.locator('#play').isVisible(), false, 'divergence is static');
  const line0 = await klLine(page);
  assert.match(line0, /KL\(p‖q\)\s*0\.5\b/, `the spec value W3-T1 A is shown: ${line0}`);
  const text = await readouts(page);
  for (const name of ['KL(q‖p)', 'Bhattacharyya', 'Hellinger²', 'W₂²', 'naive foil', 'OT map A']) assert.ok(text.includes(name), `${name} shown`);
  const fg0 = await canvasDigest(page, '#main-fg');
  const aux0 = await canvasDigest(page, AUX);
  // q's first axis handle is at μ_q + √2·(1, 0).
  const [hx, hy] = await toPage(page, 1 + Math.SQRT2, 0);
  const [tx, ty] = await toPage(page, 2.6, 1.6);
  await page.mouse.move(hx, hy);
  await page.mouse.down();
  await page.mouse.move(tx, ty, { steps: 12 });
  await page.mouse.up();
  const q = new URLSearchParams(await search(page));
  assert.ok(q.get('sd_q'), `sd_q written: ${q}`);
  assert.ok(Number(q.get('ang_q')) > 20 && Number(q.get('ang_q')) < 70, `q turned: ang_q = ${q.get('ang_q')}`);
  assert.equal(await page.inputValue('#c-sd_q'), q.get('sd_q'), 'the field shows the dragged axes');
  assert.notEqual(await klLine(page), line0, 'KL(p‖q) changed');
  assert.notEqual((await canvasDigest(page, '#main-fg')).hash, fg0.hash, 'the ellipse moved');
  assert.notEqual((await canvasDigest(page, AUX)).hash, aux0.hash, 'bars and sweep redrawn');
  assert.deepEqual(problems, []);
  await close();
});

test('gaussians: the angle slider changes the shown divergences; junk is refused', async () => {
  const { page, problems, close } = await openPage(shared.browser, `${shared.server.base}?lab=gaussians&sd_p=1.5,0.5`);
  const line0 = await klLine(page);
  await page.fill('#n-ang_q', '60');
  await page.press('#n-ang_q', 'Enter');
  await page.waitForTimeout(150);
  assert.notEqual(await klLine(page), line0, 'rotating q changes KL(p‖q)');
  assert.equal(new URLSearchParams(await search(page)).get('ang_q'), '60');
  // The range slider itself: one step changes the number too.
  const line1 = await klLine(page);
  await page.focus('#c-ang_p');
  await page.keyboard.press('ArrowRight');
  await page.waitForTimeout(150);
  assert.notEqual(await klLine(page), line1, 'the ang_p slider changes KL(p‖q)');
  await page.fill('#c-mu_q', '1,zz');
  await page.press('#c-mu_q', 'Enter');
  await page.waitForTimeout(100);
  assert.match(await page.locator('.control[data-key="mu_q"]').innerText(), /not a number/);
  assert.deepEqual(problems, []);
  await close();
});

test('gaussians: every mode draws its own figure, readouts and URL', async () => {
  const { page, problems, close } = await openPage(shared.browser, `${shared.server.base}?lab=gaussians`);
  let prev = await canvasDigest(page, '#main-fg');
  const want = {
    flow: /closed form at t = 1[\s\S]*KL\(q_t‖p\) = 0\.75716/,
    classify: /post \(= LDA\)[\s\S]*author's script[\s\S]*logistic MLE[\s\S]*\|w_script\|\/\|w_post\|/,
    simplex: /Frank–Wolfe, fixed η[\s\S]*F − F\* = [\s\S]*Optimum[\s\S]*F\* = 1\.125/,
  };
  for (const mode of ['flow', 'classify', 'simplex']) {
    await page.selectOption('#c-mode', mode);
    await workDone(page);
    await page.waitForTimeout(150);
    assert.equal(new URLSearchParams(await search(page)).get('mode'), mode);
    const d = await canvasDigest(page, '#main-fg');
    assert.notEqual(d.hash, prev.hash, `${mode}: the figure changed`);
    prev = d;
    assert.match(await readouts(page), want[mode], `${mode} readouts`);
  }
  // Flow: playing moves the particles towards p; the KL dots appear on the chart.
  await page.selectOption('#c-mode', 'flow');
  await page.waitForTimeout(100);
  assert.equal(await page.locator('#play').isVisible(), true, 'the flow animates');
  const fg = await canvasDigest(page, '#main-fg');
  await page.click('#play');
  await page.waitForTimeout(1500);
  assert.notEqual((await canvasDigest(page, '#main-fg')).hash, fg.hash, 'particles moved');
  assert.deepEqual(problems, []);
  await close();
});
