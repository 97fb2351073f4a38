// Browser tests: what a person sees in headless Chromium. Run after `trunk build --release`
// (scripts/test.sh does both). Every lab on the landing page is tested the same way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { serve, launch, openPage, canvasDigest, canvasColours, search, root, axeSerious, urlHas } from './harness.mjs';

let server, browser, labs;
const out = join(root, 'tests', 'browser', 'out');

before(async () => {
  mkdirSync(out, { recursive: true });
  server = await serve();
  browser = await launch();
  const { page, close } = await openPage(browser, server.base);
  labs = await page.$$eval('li.card', (cards) => cards.map((c) => c.dataset.slug));
  await close();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('landing page lists every lab with a drawn thumbnail and no errors', async () => {
  const { page, problems, close } = await openPage(browser, server.base);
  assert.ok(labs.length >= 1, 'at least one lab card');
  for (const slug of labs) {
    const colours = await canvasColours(page, `#thumb-${slug}`);
    assert.ok(colours > 20, `thumbnail of ${slug} is drawn (${colours} colours)`);
    const href = await page.$eval(`li.card[data-slug="${slug}"] a`, (a) => a.getAttribute('href'));
    assert.equal(href, `?lab=${slug}`);
  }
  assert.equal(await page.$('#panic'), null);
  assert.deepEqual(problems, []);
  await close();
});

/** Two animation frames: whatever the last event scheduled has been painted. */
const settled = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

/** Every layer of the figure and of the linked chart, where the lab has one. */
const LAYERS = ['#main-bg', '#main-fg', '#aux-bg', '#aux'];

/** Where the canvases differ from the images saved in sessionStorage before a reload. */
const pixelDiff = (page) =>
  page.evaluate(async (layers) => {
    const saved = JSON.parse(sessionStorage.getItem('fig'));
    const out = [];
    for (const [i, sel] of layers.filter((s) => document.querySelector(s)).entries()) {
      const c = document.querySelector(sel);
      const img = new Image();
      img.src = saved[i];
      await img.decode();
      const o = document.createElement('canvas');
      [o.width, o.height] = [c.width, c.height];
      o.getContext('2d').drawImage(img, 0, 0);
      const a = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const b = o.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let [x0, y0, x1, y1, n] = [1e9, 1e9, -1, -1, 0];
      for (let k = 0; k < a.length; k += 4) {
        if (a[k] !== b[k] || a[k + 1] !== b[k + 1] || a[k + 2] !== b[k + 2] || a[k + 3] !== b[k + 3]) {
          const x = (k / 4) % c.width, y = Math.floor(k / 4 / c.width);
          [x0, y0, x1, y1, n] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y), n + 1];
        }
      }
      out.push(`${sel} ${c.width}x${c.height} (saved ${img.width}x${img.height}): ${n} px differ` + (n ? ` in x ${x0}..${x1}, y ${y0}..${y1}` : ''));
    }
    return out.join('; ');
  }, LAYERS);

test('every lab: moving a slider changes the URL, the numeric field and the canvas pixels', async () => {
  for (const slug of labs) {
    const { page, problems, close } = await openPage(browser, `${server.base}?lab=${slug}&autoplay=0`);
    // What a person sees is both layers (labs without a cached background draw on the top one).
    const colours = Math.max(await canvasColours(page, '#main-bg'), await canvasColours(page, '#main-fg'));
    assert.ok(colours > 20, `${slug}: figure drawn`);
    // Both layers of the figure and, where there is one, of the linked chart: a layer kept from
    // before the change must show what a fresh draw after a reload shows.
    const figure = async () => (await Promise.all(LAYERS.map(async (s) => ((await page.$(s)) ? (await canvasDigest(page, s)).hash : '-')))).join(':');
    const slider = page.locator('.controls .control.num:not([hidden]) input[type="range"]').first();
    const key = await slider.evaluate((el) => el.closest('.control').dataset.key);
    const before = { url: await search(page), fig: await figure(), field: await page.inputValue(`#n-${key}`) };
    await slider.focus();
    for (let i = 0; i < 40; i++) await page.keyboard.press('ArrowRight');
    const afterField = await page.inputValue(`#n-${key}`);
    // The address bar follows within a fraction of a second (writes are coalesced while moving).
    const afterUrl = await urlHas(page, key, afterField);
    await page.waitForFunction(() => document.querySelector('#pending')?.hidden !== false, null, { timeout: 60000 });
    await settled(page);
    const afterFig = await figure();
    await page.evaluate((layers) => sessionStorage.setItem('fig', JSON.stringify(layers.filter((s) => document.querySelector(s)).map((s) => document.querySelector(s).toDataURL()))), LAYERS);
    assert.notEqual(afterUrl, before.url, `${slug}: URL changed`);
    assert.match(afterUrl, new RegExp(`[?&]${key}=`), `${slug}: URL carries ${key}`);
    assert.notEqual(afterField, before.field, `${slug}: numeric field shows the new value`);
    assert.equal(new URLSearchParams(afterUrl).get(key), afterField, `${slug}: URL and field agree`);
    assert.notEqual(afterFig, before.fig, `${slug}: canvas pixels changed`);
    // Reload restores exactly the same figure.
    await page.reload();
    await page.waitForSelector('body[data-ready="1"]');
    assert.equal(await search(page), afterUrl, `${slug}: reload keeps the URL`);
    assert.equal(await page.inputValue(`#n-${key}`), afterField, `${slug}: after a reload the field shows the URL's value`);
    // The URL is the state: no control takes part in the browser's form-state save and restore
    // (serialised into the history entry on every address-bar write: 2.6 ms per write with the
    // optimizer lab's 143 controls, 0.7 ms without).
    const saved = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')].filter((e) => e.autocomplete !== 'off').map((e) => e.id || e.outerHTML.slice(0, 60)));
    assert.deepEqual(saved, [], `${slug}: every form control says autocomplete="off"`);
    await page.waitForFunction(() => document.querySelector('#pending')?.hidden !== false, null, { timeout: 60000 });
    await settled(page);
    const reloaded = await figure();
    // On a mismatch, say where the pixels differ (a layout shift, a label, a whole raster?).
    const where = reloaded === afterFig ? '' : await pixelDiff(page);
    assert.equal(reloaded, afterFig, `${slug}: reload restores the figure ${where}`);
    assert.equal(await page.$('#panic'), null);
    assert.deepEqual(problems, [], `${slug}: no console errors`);
    await close();
  }
});

test('a slider being moved draws the heat map as a draft, then in full detail once it stops', async () => {
  const { page, problems, close } = await openPage(browser, `${server.base}?lab=gradient_flow&autoplay=0`, { dpr: 2 });
  const before = await canvasDigest(page, '#main-bg');
  // One input event, as while the thumb is dragged: no change event yet.
  const t0 = await page.evaluate(async () => {
    const el = document.getElementById('c-kappa');
    el.value = String(Number(el.value) + 60);
    el.dispatchEvent(new Event('input', { bubbles: true }));
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return performance.now();
  });
  const draft = await canvasDigest(page, '#main-bg');
  // Pixels read within the settle delay (150 ms after the last input), or the test says nothing.
  assert.ok((await page.evaluate(() => performance.now())) - t0 < 120, 'the draft was read before the change settled');
  assert.notEqual(draft.hash, before.hash, 'the draft shows the new surface');
  const kappa = await page.inputValue('#n-kappa');
  const url = await urlHas(page, 'kappa', kappa);
  await page.waitForTimeout(300);
  const full = await canvasDigest(page, '#main-bg');
  assert.notEqual(full.hash, draft.hash, 'drawn again in full detail once the slider stopped');
  // The full drawing is exactly what a fresh page at that URL draws.
  await page.goto(`${server.base}${url}`);
  await page.waitForSelector('body[data-ready="1"]');
  assert.equal((await canvasDigest(page, '#main-bg')).hash, full.hash, 'the settled figure is the full one');
  assert.deepEqual(problems, []);
  await close();
});

test('junk URL parameters: a notice names them, values are clamped, the figure is valid', async () => {
  const url = `${server.base}?lab=optimizers&kappa=abc&bogus=1&steps=999999&opt=adam,nonsense&x0=nan&autoplay=0`;
  const { page, problems, close } = await openPage(browser, url);
  const notice = page.locator('#notice');
  assert.ok(await notice.isVisible(), 'notice visible');
  const text = await notice.innerText();
  for (const k of ['kappa', 'bogus', 'steps', 'opt', 'x0']) assert.match(text, new RegExp(k), `notice names ${k}`);
  const q = new URLSearchParams(await search(page));
  assert.equal(q.get('steps'), '5000', 'steps clamped to its maximum and written back');
  assert.equal(q.get('bogus'), null, 'unknown key dropped from the URL');
  assert.equal(await page.inputValue('#n-steps'), '5000');
  assert.ok(await canvasColours(page, '#main-bg') > 20, 'background drawn');
  assert.ok((await canvasDigest(page, '#main-fg')).ink > 100, 'paths drawn');
  assert.deepEqual(problems, []);
  await close();
});

test('a diverging learning rate is reported, not drawn as garbage', async () => {
  const url = `${server.base}?lab=optimizers&surface=quadratic&kappa=100&opt=sgd,adam&sgd_lr=0.05&autoplay=0`;
  const { page, problems, close } = await openPage(browser, url);
  const text = await page.locator('#readouts').innerText();
  // |1 − 0.05·100| = 4 per step: the stiff coordinate leaves the ±200 box at step 4.
  assert.match(text, /SGD\s+diverged at step 4\b/);
  assert.doesNotMatch(text, /Adam\s+diverged/);
  assert.deepEqual(problems, []);
  await close();
});

test('typed junk in a numeric field keeps the last good state and marks the field', async () => {
  const { page, problems, close } = await openPage(browser, `${server.base}?lab=optimizers&autoplay=0`);
  const before = { url: await search(page), fg: await canvasDigest(page, '#main-fg') };
  await page.fill('#n-sgd_lr', '1e-2x');
  await page.press('#n-sgd_lr', 'Enter');
  await page.waitForTimeout(50);
  assert.equal(await page.getAttribute('#n-sgd_lr', 'aria-invalid'), 'true');
  assert.match(await page.locator('#notice').innerText(), /sgd_lr/);
  assert.equal(await search(page), before.url);
  assert.equal((await canvasDigest(page, '#main-fg')).hash, before.fg.hash);
  // A valid value is taken and the mark goes away.
  await page.fill('#n-sgd_lr', '0.0005');
  await page.press('#n-sgd_lr', 'Enter');
  await page.waitForTimeout(50);
  assert.equal(await page.getAttribute('#n-sgd_lr', 'aria-invalid'), 'false');
  assert.match(await search(page), /sgd_lr=0\.0005/);
  assert.deepEqual(problems, []);
  await close();
});

test('in Chinese too: two bad values in a row keep the field marked and leave one notice for the key', async () => {
  for (const lang of ['zh', 'en']) {
    const { page, problems, close } = await openPage(browser, `${server.base}?lab=optimizers&autoplay=0&lang=${lang}`);
    const before = { url: await search(page), fg: await canvasDigest(page, '#main-fg') };
    for (const junk of ['1e-2x', 'abc']) {
      await page.fill('#n-sgd_lr', junk);
      await page.press('#n-sgd_lr', 'Enter');
      await page.waitForTimeout(50);
      assert.equal(await page.getAttribute('#n-sgd_lr', 'aria-invalid'), 'true', `${lang}: '${junk}' marks the field`);
      assert.equal(await page.locator('#notice li[data-key="sgd_lr"]').count(), 1, `${lang}: one notice for sgd_lr after '${junk}'`);
    }
    const text = await page.locator('#notice li[data-key="sgd_lr"]').innerText();
    assert.match(text, /abc/, `${lang}: the notice is about the latest value: ${text}`);
    if (lang === 'zh') assert.match(text, /[\u4e00-\u9fff]/, `the notice is in Chinese: ${text}`);
    assert.equal(await search(page), before.url, `${lang}: the URL keeps the last good state`);
    assert.equal((await canvasDigest(page, '#main-fg')).hash, before.fg.hash, `${lang}: the figure keeps the last good state`);
    // A clamped value replaces the notice; a good one clears it and the mark.
    await page.fill('#n-sgd_lr', '5');
    await page.press('#n-sgd_lr', 'Enter');
    await page.waitForTimeout(50);
    assert.equal(await page.getAttribute('#n-sgd_lr', 'aria-invalid'), 'false');
    assert.equal(await page.locator('#notice li[data-key="sgd_lr"]').count(), 1, `${lang}: the clamp notice replaces the junk one`);
    await page.fill('#n-sgd_lr', '0.002');
    await page.press('#n-sgd_lr', 'Enter');
    await page.waitForTimeout(50);
    assert.equal(await page.locator('#notice li[data-key="sgd_lr"]').count(), 0, `${lang}: a good value clears the notice`);
    assert.equal(new URLSearchParams(await urlHas(page, 'sgd_lr', '0.002')).get('sgd_lr'), '0.002');
    assert.deepEqual(problems, []);
    await close();
  }
});

test('every lab: each formula card is MathML and shows all of it (cards wrap, nothing is cut)', async () => {
  for (const slug of labs) {
    const { page, problems, close } = await openPage(browser, `${server.base}?lab=${slug}&autoplay=0`);
    await page.waitForFunction(() => document.querySelector('#pending')?.hidden !== false, null, { timeout: 60000 });
    const cards = await page.$$eval('#formula .rule', (els) => els.map((el) => {
      const m = el.querySelector('.math');
      return { title: el.querySelector('h4')?.textContent, math: !!m?.querySelector(':scope > math'), sw: m?.scrollWidth ?? 0, cw: m?.clientWidth ?? 0 };
    }));
    assert.ok(cards.length >= 1, `${slug}: formula cards`);
    for (const c of cards) {
      assert.ok(c.math, `${slug}: '${c.title}' is MathML`);
      assert.ok(c.sw <= c.cw + 1, `${slug}: '${c.title}' fits its card at 1280 px (${c.sw} > ${c.cw})`);
    }
    assert.deepEqual(problems, []);
    await close();
  }
});

test('every lab with a start point: clicking and dragging on the plot moves it; hover shows the loss', async () => {
  let tested = 0;
  for (const slug of labs) {
    const { page, problems, close } = await openPage(browser, `${server.base}?lab=${slug}&autoplay=0`);
    if (!(await page.$('.control[data-key="x0"]'))) { await close(); continue; }
    const box = await page.locator('#main-fg').boundingBox();
    const fg0 = await canvasDigest(page, '#main-fg');
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.3);
    assert.match(await page.locator('.hover').innerText(), /L = .*‖∇L‖ = /, `${slug}: hover readout`);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.62, box.y + box.height * 0.32, { steps: 3 });
    await page.mouse.up();
    const q = new URLSearchParams(await search(page));
    assert.ok(q.get('x0') && q.get('y0'), `${slug}: start point written to the URL`);
    assert.equal(await page.inputValue('#n-x0'), q.get('x0'), `${slug}: field shows it`);
    assert.notEqual((await canvasDigest(page, '#main-fg')).hash, fg0.hash, `${slug}: paths redrawn`);
    assert.deepEqual(problems, []);
    await close();
    tested++;
  }
  assert.ok(tested >= 2, 'optimizers and gradient_flow both tested');
});

test('transport: reset, single step and play animate the run', async () => {
  const { page, problems, close } = await openPage(browser, `${server.base}?lab=optimizers&autoplay=0&steps=40`);
  assert.equal(await page.locator('#progress').innerText(), 'step 40 / 40');
  await page.click('#reset');
  assert.equal(await page.locator('#progress').innerText(), 'step 0 / 40');
  const fg0 = await canvasDigest(page, '#main-fg');
  await page.click('#step');
  assert.equal(await page.locator('#progress').innerText(), 'step 1 / 40');
  assert.notEqual((await canvasDigest(page, '#main-fg')).hash, fg0.hash);
  await page.click('#play');
  await page.waitForFunction(() => document.querySelector('#progress').textContent === 'step 40 / 40', null, { timeout: 10000 });
  assert.match(await page.locator('#play').innerText(), /Play/);
  assert.deepEqual(problems, []);
  await close();
});

test('an idle page requests no animation frames; a change, background work and play wake the loop', async () => {
  // Count the page's requestAnimationFrame calls (the test's own waits use timers, not frames).
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript(() => {
    window.__raf = 0;
    const raf = window.requestAnimationFrame.bind(window);
    window.requestAnimationFrame = (f) => { window.__raf++; return raf(f); };
  });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  const frames = () => page.evaluate(() => window.__raf);
  const idleFor = async (ms) => { const a = await frames(); await page.waitForTimeout(ms); return (await frames()) - a; };
  await page.goto(`${server.base}?lab=diffusion&autoplay=0`);
  await page.waitForSelector('body[data-ready="1"]');
  await page.waitForFunction(() => document.querySelector('#pending')?.hidden === true, null, { timeout: 60000 });
  await page.waitForTimeout(400);
  assert.equal(await idleFor(1000), 0, 'idle: no frames requested');
  // A slider move: the loop wakes to write the address bar, then sleeps again.
  const slider = page.locator('.controls .control.num:not([hidden]) input[type="range"]').first();
  const key = await slider.evaluate((el) => el.closest('.control').dataset.key);
  await slider.focus();
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
  const value = await page.inputValue(`#n-${key}`);
  assert.equal(new URLSearchParams(await urlHas(page, key, value)).get(key), value, 'URL written after the change');
  await page.waitForFunction(() => document.querySelector('#pending')?.hidden === true, null, { timeout: 60000 });
  await page.waitForTimeout(400);
  assert.equal(await idleFor(1000), 0, 'idle again after the change');
  // Play: the run animates to its end, then the loop sleeps.
  await page.goto(`${server.base}?lab=optimizers&autoplay=0&steps=40`);
  await page.waitForSelector('body[data-ready="1"]');
  await page.click('#reset');
  assert.equal(await page.locator('#progress').innerText(), 'step 0 / 40');
  await page.click('#play');
  await page.waitForFunction(() => document.querySelector('#progress').textContent === 'step 40 / 40', null, { timeout: 15000 });
  await page.waitForTimeout(400);
  assert.equal(await idleFor(800), 0, 'idle after the run ends');
  assert.deepEqual(problems, []);
  await context.close();
});

test('HiDPI, dark theme and a phone-sized screen', async () => {
  const { page, problems, close } = await openPage(browser, `${server.base}?lab=optimizers&autoplay=0`,
    { viewport: { width: 375, height: 740 }, dpr: 2, colorScheme: 'dark', hasTouch: true });
  const c = await canvasDigest(page, '#main-bg');
  const css = await page.$eval('#main-bg', (el) => el.getBoundingClientRect().width);
  assert.equal(c.w, Math.round(css * 2), 'canvas backing store at devicePixelRatio');
  assert.ok(css <= 375, 'figure fits the phone');
  // Controls stack under the figure.
  const fig = await page.locator('#figure').boundingBox();
  const ctl = await page.locator('aside.controls').boundingBox();
  assert.ok(ctl.y > fig.y + fig.height - 1, 'controls below the figure');
  // Dark background pixel in the plot's corner.
  const px = await page.$eval('#main-bg', (el) => Array.from(el.getContext('2d').getImageData(2, 2, 1, 1).data));
  assert.ok(px[0] < 60 && px[1] < 60 && px[2] < 60, `dark theme background (${px})`);
  await page.screenshot({ path: join(out, 'phone-dark.png') });
  assert.deepEqual(problems, []);
  await close();
});

test('the release bundle works from a sub-folder of a static server', async () => {
  const sub = await serve(join(root, 'dist'), '/course/week3/flowlab/');
  try {
    const { page, problems, close } = await openPage(browser, `${sub.base}?lab=optimizers&autoplay=0`);
    assert.ok(await canvasColours(page, '#main-bg') > 20);
    assert.deepEqual(problems, []);
    await close();
  } finally {
    await sub.close();
  }
});

test('README screenshot', async () => {
  const { page, close } = await openPage(browser, `${server.base}?lab=optimizers&autoplay=0&opt=sgd,momentum,adam,lion,newton&adam_lr=0.01&lion_lr=0.003`,
    { viewport: { width: 1280, height: 960 } });
  await page.screenshot({ path: join(out, 'optimizers.png') });
  await close();
});

test('embed mode: figure and controls only, hide= and controls=0, height posted to the parent', async () => {
  const { page, problems, close } = await openPage(browser, server.base);
  const src = `${server.base}?lab=optimizers&embed=1&hide=steps,x0&autoplay=0`;
  await page.setContent(`<script>window.msgs = []; addEventListener('message', (e) => msgs.push(e.data));</script>
    <iframe id="f" src="${src}" style="width:800px;height:700px;border:0"></iframe>`);
  const frame = await (await page.$('#f')).contentFrame();
  await frame.waitForSelector('body[data-ready="1"]');
  assert.equal(await frame.$('header.site'), null, 'no header');
  assert.equal(await frame.$('.prose'), null, 'no prose');
  assert.equal(await frame.$('h1'), null, 'no title');
  assert.ok(await frame.isVisible('aside.controls'), 'controls shown');
  assert.ok(await frame.isHidden('.control[data-key="steps"]'), 'hide=steps');
  assert.ok(await frame.isHidden('.control[data-key="x0"]'), 'hide=x0');
  assert.ok(await frame.isVisible('.control[data-key="y0"]'), 'other controls stay');
  assert.ok(await canvasColours(frame, '#main-bg') > 20, 'figure drawn');
  await page.waitForFunction(() => window.msgs.length > 0);
  const msg = JSON.parse((await page.evaluate(() => window.msgs)).at(-1));
  assert.equal(msg.subject, 'lti.frameResize');
  assert.ok(Number.isInteger(msg.height) && msg.height > 300, `height ${msg.height}`);
  await close();
  const p2 = await openPage(browser, `${server.base}?lab=optimizers&embed=1&controls=0&autoplay=0`);
  assert.ok(await p2.page.isHidden('aside.controls'), 'controls=0 hides the panel');
  assert.deepEqual([...problems, ...p2.problems], []);
  await p2.close();
});

test('share dialog: the link and the iframe snippet load the same state', async () => {
  const { page, problems, close } = await openPage(browser, `${server.base}?lab=optimizers&surface=beale&opt=adam,lion&adam_lr=0.01&autoplay=0`);
  await page.click('#share-open');
  assert.ok(await page.isVisible('dialog#share'));
  const link = await page.inputValue('#share-link');
  const pageState = new URLSearchParams(await search(page));
  pageState.delete('autoplay');
  assert.deepEqual([...new URL(link).searchParams], [...pageState], 'link is the current state (without view options)');
  await page.check('#share-hide-panel');
  const snippet = await page.inputValue('#share-snippet');
  const src = /src="([^"]+)"/.exec(snippet)[1].replaceAll('&amp;', '&');
  const q = new URL(src).searchParams;
  assert.equal(q.get('embed'), '1');
  assert.equal(q.get('controls'), '0');
  assert.equal(q.get('surface'), 'beale');
  assert.equal(q.get('adam_lr'), '0.01');
  const preview = await (await page.waitForSelector('#share-preview')).contentFrame();
  await preview.waitForSelector('body[data-ready="1"]');
  assert.equal(await preview.innerText('#readouts'), await page.innerText('#readouts'), 'preview shows the same run');
  assert.ok(await preview.isHidden('aside.controls'));
  await page.keyboard.press('Escape');
  assert.ok(await page.isHidden('dialog#share'));
  assert.deepEqual(problems, []);
  await close();
});

test('keyboard shortcuts: R resets, → steps, Space plays, ? opens help; live summary for screen readers', async () => {
  const { page, problems, close } = await openPage(browser, `${server.base}?lab=optimizers&autoplay=0&steps=40`);
  await page.click('h1');
  await page.keyboard.press('r');
  assert.equal(await page.innerText('#progress'), 'step 0 / 40');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.innerText('#progress'), 'step 2 / 40');
  await page.keyboard.press('Space');
  await page.waitForFunction(() => document.querySelector('#progress').textContent === 'step 40 / 40', null, { timeout: 10000 });
  await page.keyboard.press('?');
  assert.ok(await page.isVisible('dialog#help'));
  assert.match(await page.innerText('dialog#help'), /Space/);
  await page.keyboard.press('Escape');
  // Keys typed into a field are not shortcuts.
  await page.focus('#n-sgd_lr');
  await page.keyboard.press('r');
  assert.equal(await page.innerText('#progress'), 'step 40 / 40');
  const live = await page.textContent('#live');
  assert.match(live, /SGD: step \d+: L = /, `live region: ${live}`);
  assert.equal(await page.getAttribute('#live', 'aria-live'), 'polite');
  assert.deepEqual(problems, []);
  await close();
});

test('exports: PNG at twice the displayed size, SVG with the state URL, CSV and JSON with the data', async () => {
  const { page, problems, close } = await openPage(browser, `${server.base}?lab=optimizers&opt=sgd,adam&steps=30&autoplay=0`);
  const grab = async (kind) => {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`#export-${kind}`)]);
    assert.equal(dl.suggestedFilename(), `flowlab-optimizers.${kind}`);
    const path = await dl.path();
    return (await import('node:fs')).readFileSync(path);
  };
  const png = await grab('png');
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
  const w = png.readUInt32BE(16), h = png.readUInt32BE(20);
  const css = await page.$eval('#main-bg', (el) => el.clientWidth);
  assert.equal(w, 2 * css, 'PNG is twice the displayed width');
  assert.ok(h > w * 0.5, `PNG holds the figure and the linked chart (${w}×${h})`);
  const svg = (await grab('svg')).toString();
  assert.match(svg, /^<svg/);
  assert.match(svg, /<desc>http:\/\/127\.0\.0\.1:\d+\/\?lab=optimizers&amp;steps=30&amp;opt=sgd,adam<\/desc>/);
  assert.match(svg, /<image [^>]*href="data:image\/png;base64,/, 'heat map embedded once as PNG');
  assert.ok(svg.split('<rect').length < 200, 'no per-pixel rectangles');
  const csv = (await grab('csv')).toString().split('\n');
  assert.match(csv[0], /^# http:\/\/127\.0\.0\.1:\d+\/\?lab=optimizers&steps=30&opt=sgd,adam$/);
  assert.equal(csv[1], 'optimizer,step,x,y,loss');
  assert.equal(csv.filter((l) => /^(sgd|adam),/.test(l)).length, 62);
  assert.match(csv[2], /^sgd,0,-1\.2,1,24\.19999/);
  const json = JSON.parse((await grab('json')).toString());
  assert.equal(json.lab, 'optimizers');
  assert.equal(json.rows.length, 62);
  assert.equal(json.rows[1][2], -0.9843999999999999);
  assert.deepEqual(problems, []);
  await close();
});

test('accessibility: axe-core finds no serious or critical violations (landing and every lab, both themes, both languages)', async () => {
  const pages = ['', ...labs.map((s) => `?lab=${s}&autoplay=0`)];
  const found = [];
  for (const lang of ['en', 'zh']) {
    for (const colorScheme of ['light', 'dark']) {
      for (const q of pages) {
        const url = `${server.base}${q ? `${q}&` : '?'}lang=${lang}`;
        const { page, close } = await openPage(browser, url, { colorScheme });
        for (const v of await axeSerious(page)) found.push({ page: q || 'landing', lang, colorScheme, ...v });
        await close();
      }
    }
  }
  assert.deepEqual(found, []);
  // The check itself can fail: a page with an unlabelled input and an image without alt is flagged.
  const { page, close } = await openPage(browser, server.base);
  await page.setContent('<html lang="en"><body><main><img src="x.png"><input type="text"></main></body></html>');
  const bad = (await axeSerious(page)).map((v) => v.id).sort();
  assert.ok(bad.includes('image-alt') && bad.includes('label'), `control case flagged: ${bad}`);
  await close();
});

test('two languages: lang=zh, the browser language, and the switch in the header', async () => {
  const zh = await openPage(browser, `${server.base}?lab=optimizers&lang=zh&autoplay=0`);
  assert.equal(await zh.page.innerText('h1'), '损失曲面上的优化器');
  assert.equal(await zh.page.getAttribute('html', 'lang'), 'zh-Hans');
  assert.match(await zh.page.innerText('#play'), /播放/);
  assert.match(await zh.page.innerText('label[for="c-surface"]'), /曲面/);
  assert.match(await zh.page.innerText('#readouts'), /第 \d+ 步/);
  await zh.close();
  // No lang= in the URL: the browser's language decides.
  const auto = await openPage(browser, `${server.base}?lab=optimizers&autoplay=0`, { locale: 'zh-CN' });
  assert.equal(await auto.page.innerText('h1'), '损失曲面上的优化器');
  await auto.close();
  // The header switch keeps the state and changes the text.
  const { page, problems, close } = await openPage(browser, `${server.base}?lab=optimizers&surface=beale&autoplay=0`);
  assert.equal(await page.innerText('h1'), 'Optimizers on loss surfaces');
  await Promise.all([page.waitForURL(/lang=zh/), page.selectOption('#lang', 'zh')]);
  await page.waitForSelector('body[data-ready="1"]');
  assert.equal(await page.innerText('h1'), '损失曲面上的优化器');
  const q = new URLSearchParams(await search(page));
  assert.equal(q.get('surface'), 'beale', 'state kept across the switch');
  assert.equal(q.get('lang'), 'zh');
  assert.deepEqual(problems, []);
  await close();
});

test('print: the figure, the parameter values and the link; no buttons', async () => {
  const { page, problems, close } = await openPage(browser, `${server.base}?lab=optimizers&surface=beale&autoplay=0`);
  await page.emulateMedia({ media: 'print' });
  assert.ok(await page.isVisible('#main-bg'), 'figure printed');
  assert.ok(await page.isVisible('#aux'), 'linked chart printed');
  assert.ok(await page.isHidden('.transport') && await page.isHidden('.exports'), 'buttons not printed');
  assert.ok(await page.isVisible('#n-x0'), 'parameter values printed');
  assert.equal(await page.inputValue('#n-x0'), '1');
  const link = await page.innerText('.print-link');
  assert.match(link, /\?lab=optimizers&surface=beale/, 'link printed');
  const pdf = await page.pdf({ format: 'A4' });
  assert.ok(pdf.length > 20000, `PDF has content (${pdf.length} bytes)`);
  assert.deepEqual(problems, []);
  await close();
});

test('touch: tapping and dragging on the plot moves the start point on a phone', async () => {
  const { page, problems, close } = await openPage(browser, `${server.base}?lab=optimizers&autoplay=0`,
    { viewport: { width: 375, height: 740 }, dpr: 2, hasTouch: true });
  // The figure sits under the navigation: bring it on screen first, as a reader scrolls to it.
  await page.locator('#main-fg').scrollIntoViewIfNeeded();
  const box = await page.locator('#main-fg').boundingBox();
  const scrollY = await page.evaluate(() => scrollY);
  assert.equal(await page.$eval('#main-fg', (el) => getComputedStyle(el).touchAction), 'none', 'no page scroll while dragging');
  await page.touchscreen.tap(box.x + box.width * 0.7, box.y + box.height * 0.4);
  const q = new URLSearchParams(await search(page));
  assert.ok(q.get('x0') && q.get('y0'), 'tap moved the start point');
  assert.equal(await page.evaluate(() => scrollY), scrollY);
  assert.deepEqual(problems, []);
  await close();
});

test('typed surfaces: every keystroke redraws; a bad formula shows a caret and keeps the last valid one', async () => {
  let tested = 0;
  for (const slug of labs) {
    const { page, problems, close } = await openPage(browser, `${server.base}?lab=${slug}&surface=custom&autoplay=0`);
    // Every lab with a typed formula (the 2-D labs).
    if (!(await page.$('#c-f'))) { await close(); continue; }
    tested++;
    assert.equal(await page.inputValue('#c-f'), '(x + 2*y - 7)^2 + (2*x + y - 5)^2', `${slug}: Booth by default`);
    const bg0 = await canvasDigest(page, '#main-bg');
    await page.fill('#c-f', '');
    await page.type('#c-f', 'x^2 + 3*y^2');
    const q = new URLSearchParams(await urlHas(page, 'f', 'x^2 + 3*y^2'));
    assert.equal(q.get('f'), 'x^2 + 3*y^2', `${slug}: URL carries the formula`);
    assert.notEqual((await canvasDigest(page, '#main-bg')).hash, bg0.hash, `${slug}: heat map redrawn`);
    const bg1 = await canvasDigest(page, '#main-bg');
    await page.type('#c-f', '+* y');
    assert.ok(await page.isVisible('#e-f'), `${slug}: error shown`);
    const err = await page.innerText('#e-f');
    assert.match(err, /column 13/, `${slug}: names the column: ${err}`);
    assert.match(err, /\n {12}\^/, `${slug}: caret under the column`);
    assert.equal(await page.getAttribute('#c-f', 'aria-invalid'), 'true');
    assert.equal(new URLSearchParams(await search(page)).get('f'), 'x^2 + 3*y^2', `${slug}: URL keeps the last valid formula`);
    assert.equal((await canvasDigest(page, '#main-bg')).hash, bg1.hash, `${slug}: figure kept`);
    // The gallery fills formula, window and start point; log(x) leaves its domain on the left half.
    await page.selectOption('#c-gallery', 'rastrigin');
    assert.match(await page.inputValue('#c-f'), /cos\(2\*pi\*x\)/);
    assert.equal(new URLSearchParams(await search(page)).get('gallery'), 'rastrigin');
    assert.equal(await page.$('#panic'), null);
    assert.deepEqual(problems, []);
    await close();
  }
  assert.ok(tested >= 2, 'both 2-D labs have typed surfaces');
  const { page, problems, close } = await openPage(browser, `${server.base}?lab=optimizers&surface=custom&f=log(x)%2By%5E2&x0=0.5&y0=1&opt=sgd&sgd_lr=0.5&autoplay=0`);
  assert.match(await page.innerText('#readouts'), /SGD\s+diverged at step \d+ \(left the domain\)/);
  assert.deepEqual(problems, []);
  await close();
});

test('prefers-reduced-motion: no autoplay; otherwise the run animates from step 0', async () => {
  const still = await openPage(browser, `${server.base}?lab=optimizers&steps=600`, { reducedMotion: 'reduce' });
  assert.equal(await still.page.innerText('#progress'), 'step 600 / 600', 'finished figure shown, not animated');
  assert.match(await still.page.innerText('#play'), /Play/);
  await still.close();
  const moving = await openPage(browser, `${server.base}?lab=optimizers&steps=600`);
  assert.match(await moving.page.innerText('#play'), /Pause/, 'animating');
  const first = await moving.page.innerText('#progress');
  assert.match(first, /^step \d+ \/ 600$/);
  assert.notEqual(first, 'step 600 / 600');
  assert.deepEqual(moving.problems, []);
  await moving.close();
});
