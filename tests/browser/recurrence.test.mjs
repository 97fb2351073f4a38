// The recurrence lab in headless Chromium: the shown-sweep field changes the error shown and the
// heat map's marker, switching mode changes the pixels and the URL, a divergence is reported as
// text, a large problem sweeps in chunks while frames keep coming, and the SSM's time cursor.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sharedBrowser, workDone, openPage, canvasDigest, AUX, search, urlHas } from './harness.mjs';

const shared = sharedBrowser(before, after);

const done = (page) => workDone(page, 120000);
const readouts = (page) => page.locator('#readouts').innerText();
const shownError = (text, scheme) => Number(new RegExp(`${scheme}[^\\n]*\\n?[^\\n]*?error after sweep \\d+: ([0-9.e−-]+)`).exec(text)?.[1]?.replace('−', '-'));

async function setNumber(page, key, value) {
  await page.fill(`#n-${key}`, String(value));
  await page.press(`#n-${key}`, 'Enter');
  await done(page);
}

test('recurrence: the shown sweep changes the error shown, the URL and the marker on the heat map', async () => {
  const { page, problems, close } = await openPage(shared.browser, `${shared.server.base}?lab=recurrence&preset=literal&T=32`);
  await done(page);
  const t0 = await readouts(page);
  assert.match(t0, /error after sweep 5: 0\.414/, `W2-T6 plain sweep 5 = 0.4139598583\n${t0}`);
  const fg0 = await canvasDigest(page, '#main-fg');
  const bg0 = await canvasDigest(page, '#main-bg');
  assert.ok(bg0.ink > 1000, 'the heat map is drawn');
  await setNumber(page, 'sweeps', 2);
  assert.equal(new URLSearchParams(await search(page)).get('sweeps'), '2');
  const t1 = await readouts(page);
  assert.match(t1, /error after sweep 2: 1\.059/, `plain sweep 2 = 1.0586494208 (larger than sweep 1)\n${t1}`);
  assert.match(t1, /the error grows at sweep 2: not monotone/);
  assert.notEqual((await canvasDigest(page, '#main-fg')).hash, fg0.hash, 'the shown-sweep marker moved');
  assert.equal((await canvasDigest(page, '#main-bg')).hash, bg0.hash, 'the cached heat map was kept');
  await setNumber(page, 'sweeps', 12);
  assert.ok(shownError(await readouts(page), 'plain') < 0.02, 'sweep 12 is far closer');
  assert.deepEqual(problems, []);
  await close();
});

test('recurrence: switching mode changes the pixels and the URL, and back', async () => {
  const { page, problems, close } = await openPage(shared.browser, `${shared.server.base}?lab=recurrence`);
  await done(page);
  const bg0 = await canvasDigest(page, '#main-bg');
  const aux0 = await canvasDigest(page, AUX).catch(() => null);
  await page.selectOption('#c-mode', 'ssm');
  await done(page);
  assert.equal(new URLSearchParams(await search(page)).get('mode'), 'ssm');
  assert.notEqual((await canvasDigest(page, '#main-bg')).hash, bg0.hash, 'the SSM figure replaced the heat map');
  if (aux0) assert.notEqual((await canvasDigest(page, AUX)).hash, aux0.hash, 'the linked chart changed too');
  const text = await readouts(page);
  assert.match(text, /max difference between routes/, text);
  assert.match(text, /ρ\(Ā\) = 0\.95/, text);
  assert.equal(await page.locator('.control[data-key="sweeps"]').isVisible(), false, 'RNN controls hidden in ssm mode');
  await page.selectOption('#c-mode', 'rnn');
  await done(page);
  assert.equal(new URLSearchParams(await search(page)).get('mode'), null, 'the default mode leaves the URL');
  assert.equal((await canvasDigest(page, '#main-bg')).hash, bg0.hash, 'the same heat map again');
  assert.deepEqual(problems, []);
  await close();
});

test('recurrence: a divergence is reported as text and stops cleanly; a large problem sweeps in chunks', async () => {
  const { page, problems, close } = await openPage(shared.browser, `${shared.server.base}?lab=recurrence&T=512&d=8&radius=0.95`);
  // Frames keep coming while the sweeps run (a blocked page would deliver none).
  const frames = await page.evaluate(
    () =>
      new Promise((ok) => {
        let n = 0;
        const t0 = performance.now();
        const f = () => {
          n++;
          if (performance.now() - t0 < 300) requestAnimationFrame(f);
          else ok(n);
        };
        requestAnimationFrame(f);
      }),
  );
  assert.ok(frames >= 5, `${frames} animation frames in 300 ms while sweeping`);
  await done(page);
  const text = await readouts(page);
  assert.match(text, /plain[^\n]*\n?[^\n]*diverged at sweep \d+ \(t = \d+\)/, `plain diverges below ρ = 1\n${text}`);
  assert.match(text, /Newton[^\n]*\n?[^\n]*exact to rounding after sweep \d+/, text);
  await setNumber(page, 'sweeps', 40);
  const t2 = await readouts(page);
  assert.match(t2, /diverged at sweep \d+ \(t = \d+\): stopped/, t2);
  assert.doesNotMatch(t2, /NaN|∞/);
  assert.deepEqual(problems, []);
  await close();
});

test('recurrence: the SSM time cursor moves the reconstruction; L changes the kernel', async () => {
  const { page, problems, close } = await openPage(shared.browser, `${shared.server.base}?lab=recurrence&mode=ssm&input=step`);
  await done(page);
  const fg0 = await canvasDigest(page, '#main-fg');
  const r0 = /max \|u − û\| on \[0, t\]: ([0-9.e−-]+)/.exec(await readouts(page))?.[1];
  await setNumber(page, 't', 100);
  assert.equal(new URLSearchParams(await search(page)).get('t'), '100');
  assert.notEqual((await canvasDigest(page, '#main-fg')).hash, fg0.hash, 'cursor and reconstruction redrawn');
  const text = await readouts(page);
  assert.match(text, /t = 100\)/, text);
  assert.notEqual(/max \|u − û\| on \[0, t\]: ([0-9.e−-]+)/.exec(text)?.[1], r0, 'a different reconstruction error');
  const aux0 = await canvasDigest(page, AUX).catch(() => null);
  await setNumber(page, 'L', 64);
  assert.equal(new URLSearchParams(await search(page)).get('L'), '64');
  if (aux0) assert.notEqual((await canvasDigest(page, AUX)).hash, aux0.hash, 'kernel redrawn');
  assert.deepEqual(problems, []);
  await close();
});

test('recurrence: the d slider spans 1…8 for the RNN and 1…64 for the SSM, each mode keeping its own d', async () => {
  const { page, problems, close } = await openPage(shared.browser, `${shared.server.base}?lab=recurrence`);
  await done(page);
  const toEnd = async () => {
    await page.focus('#c-d');
    await page.keyboard.press('End');
    await done(page);
  };
  await toEnd();
  assert.equal(await page.inputValue('#n-d'), '8', 'the RNN slider ends at 8');
  assert.equal(await urlHas(page, 'd', '8'), await search(page));
  assert.match(await page.locator('#formula').innerText(), /d = 8,/, 'the problem is rebuilt with d = 8');
  await page.selectOption('#c-mode', 'ssm');
  await done(page);
  assert.equal(await page.inputValue('#n-d'), '8', 'the SSM keeps its own d (default 8)');
  await toEnd();
  assert.equal(await page.inputValue('#n-d'), '64', 'the SSM slider ends at 64');
  assert.equal(await page.getAttribute('#c-d', 'aria-valuetext'), '64');
  // Half way along the slider is about 32 in the SSM's range (it would be about 4 in the RNN's).
  await page.locator('#c-d').evaluate((el) => { el.value = '500'; el.dispatchEvent(new Event('input', { bubbles: true })); });
  await done(page);
  const mid = Number(await page.inputValue('#n-d'));
  assert.ok(mid >= 30 && mid <= 34, `mid-slider d = ${mid}`);
  await page.selectOption('#c-mode', 'rnn');
  await done(page);
  assert.equal(await page.inputValue('#n-d'), '8', 'the RNN kept its d');
  // Typing past the range is clamped, with a notice for that key.
  await setNumber(page, 'd', 20);
  assert.equal(await page.inputValue('#n-d'), '8');
  assert.match(await page.locator('#notice').innerText(), /\bd\b/);
  assert.deepEqual(problems, []);
  await close();
});

test('recurrence: an input drawn with the pointer reaches the URL, the figure and the reconstruction', async () => {
  const { page, problems, close } = await openPage(shared.browser, `${shared.server.base}?lab=recurrence&mode=ssm`);
  await done(page);
  await page.selectOption('#c-input', 'drawn');
  await done(page);
  assert.equal(new URLSearchParams(await search(page)).get('input'), 'drawn');
  assert.equal(await page.locator('.control[data-key="drawn"]').isVisible(), true, 'the knots field appears');
  const bg0 = await canvasDigest(page, '#main-bg');
  const r0 = /max \|u − û\| on \[0, t\]: ([0-9.e−-]+)/.exec(await readouts(page))?.[1];
  // One quick stroke, left to right, as a person draws a bump: a few coarse moves only.
  const box = await page.locator('#main-fg').boundingBox();
  const at = (fx, fy) => [box.x + fx * box.width, box.y + fy * box.height];
  await page.mouse.move(...at(0.15, 0.4));
  await page.mouse.down();
  for (const [fx, fy] of [[0.3, 0.25], [0.5, 0.15], [0.7, 0.25], [0.9, 0.35]]) await page.mouse.move(...at(fx, fy), { steps: 1 });
  await page.mouse.up();
  await done(page);
  const drawn = new URLSearchParams(await search(page)).get('drawn');
  assert.ok(drawn, 'the URL carries the knots');
  const knots = drawn.split(',').map(Number);
  assert.equal(knots.length, 33);
  // No gaps along the stroke, however fast (five pointer events): the drawn knots are one run of
  // at least half the plot, all above the axis, and the knots left of the stroke are untouched.
  const first = knots.findIndex((v) => v !== 0);
  const last = knots.length - 1 - [...knots].reverse().findIndex((v) => v !== 0);
  assert.ok(first > 0 && last - first >= 16, `a run of drawn knots: ${knots}`);
  assert.ok(knots.slice(first, last + 1).every((v) => v > 0.1), `no gaps along the stroke: ${knots}`);
  assert.ok(Math.max(...knots) > 0.8, `the bump's top: ${Math.max(...knots)}`);
  assert.equal(await page.inputValue('#c-drawn'), drawn, 'the field shows the same knots');
  assert.notEqual((await canvasDigest(page, '#main-bg')).hash, bg0.hash, 'the drawn input is on the plot');
  const r1 = /max \|u − û\| on \[0, t\]: ([0-9.e−-]+)/.exec(await readouts(page))?.[1];
  assert.ok(r1 && r1 !== r0, `a new reconstruction (${r0} → ${r1})`);
  // Reload: the same drawing comes back from the URL.
  const url = await search(page);
  const bg1 = await canvasDigest(page, '#main-bg');
  await page.reload();
  await done(page);
  assert.equal(await search(page), url);
  assert.equal((await canvasDigest(page, '#main-bg')).hash, bg1.hash, 'the same figure after a reload');
  assert.equal(await page.inputValue('#c-drawn'), drawn);
  assert.deepEqual(problems, []);
  await close();
});

test('recurrence: the eigenvector wall follows d (W2-T9) and appears only for the LegS systems', async () => {
  const { page, problems, close } = await openPage(shared.browser, `${shared.server.base}?lab=recurrence&mode=ssm`);
  await done(page);
  const wall = async () => /Eigenvector wall[^\n]*/.exec(await readouts(page))?.[0] ?? '';
  assert.match(await wall(), /λ = 2: \|S_λ\| = /, 'd = 8: λ = ⌊8/3⌋ = 2');
  const aux0 = await canvasDigest(page, AUX);
  await setNumber(page, 'd', 24);
  // W2-T9: |S_{d/3}| = 5.323747128e-8 for d = 24.
  assert.match(await wall(), /λ = 8: \|S_λ\| = 5\.3237\d*e[−-]8/, await wall());
  assert.notEqual((await canvasDigest(page, AUX)).hash, aux0.hash, 'the linked charts were redrawn');
  await page.selectOption('#c-basis', 'diagonal');
  await done(page);
  assert.equal(await wall(), '', 'no wall for a diagonal system');
  assert.deepEqual(problems, []);
  await close();
});
