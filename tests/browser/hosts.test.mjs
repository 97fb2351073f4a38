// Pages that frame flowlab: reveal.js/Quarto slides (slide:stop / slide:start) and H5P's iframe
// resizer (the hello → prepareResize → resizePrepared → resize handshake). Each host page below is
// the snippet the README gives, plus a listener that records what the frame does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedBrowser, openPage, canvasDigest, root } from './harness.mjs';

const shared = sharedBrowser(before, after);

/** A host page with one iframe; `script` runs in the host. Returns the frame. */
async function host(page, src, script = '', style = 'width:900px;height:640px;border:0') {
  await page.setContent(`<!doctype html><link rel="icon" href="data:,"><body style="margin:0"><script>window.msgs = []; addEventListener('message', (e) => msgs.push(e.data));</script>
    <iframe id="f" src="${src}" style="${style}"></iframe><script>${script}</script></body>`);
  const frame = await (await page.$('#f')).contentFrame();
  await frame.waitForSelector('body[data-ready="1"]');
  return frame;
}

/** The first ```html block of the README after `marker`, pointed at the test server. */
function readmeSnippet(marker) {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = /```html\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf(marker)));
  assert.ok(block, `README has an html snippet after ${marker}`);
  return block[1].replaceAll('https://your.course.site/flowlab/', shared.server.base);
}

/** A host page holding `html`; resolves to the frame once it is ready. */
async function hostHtml(page, html, script = '') {
  await page.setContent(`<!doctype html><link rel="icon" href="data:,"><body style="margin:0"><script>window.msgs = []; addEventListener('message', (e) => msgs.push(e.data));</script>${html}<script>${script}</script></body>`);
  const frame = await (await page.$('iframe')).contentFrame();
  await frame.waitForSelector('body[data-ready="1"]');
  return frame;
}

const post = (page, msg) => page.evaluate((m) => document.querySelector('iframe').contentWindow.postMessage(m, '*'), msg);
const progress = (frame) => frame.$eval('#progress', (e) => e.textContent);

test('slides: slide:stop freezes the animation and the background work, slide:start resumes both where they were', async () => {
  const { page, problems, close } = await openPage(shared.browser, shared.server.base);
  // The README's reveal.js slide; like reveal.js, the host turns data-src into src when the slide shows.
  const slide = readmeSnippet('**reveal.js and Quarto slides.**').replace('data-src=', 'src=').replace('&embed=1', '&steps=5000&embed=1');
  const frame = await hostHtml(page, slide);
  // Playing: the step counter moves.
  const p0 = await progress(frame);
  await frame.waitForFunction((p) => document.querySelector('#progress').textContent !== p, p0);
  await post(page, 'slide:stop');
  await page.waitForTimeout(100);
  const stopped = { step: await progress(frame), fig: (await canvasDigest(frame, '#main-fg')).hash };
  await page.waitForTimeout(600);
  assert.equal(await progress(frame), stopped.step, 'no steps while the slide is off screen');
  assert.equal((await canvasDigest(frame, '#main-fg')).hash, stopped.fig, 'no redraws while the slide is off screen');
  await post(page, 'slide:start');
  await frame.waitForFunction((p) => document.querySelector('#progress').textContent !== p, stopped.step, { timeout: 5000 });
  const resumed = Number((await progress(frame)).match(/\d+/)[0]);
  assert.ok(resumed > Number(stopped.step.match(/\d+/)[0]), `resumed from step ${stopped.step} (now ${resumed}), not from 0`);
  await close();

  // Background work (a large projection) waits too.
  const p2 = await openPage(shared.browser, shared.server.base);
  const f2 = await host(p2.page, `${shared.server.base}?lab=jl&n=1000&d=1000&k=300`);
  await post(p2.page, 'slide:stop');
  await p2.page.waitForTimeout(100);
  const pct = () => f2.$eval('#pending', (e) => (e.hidden ? 'done' : e.querySelector('progress')?.value));
  const w0 = await pct();
  assert.notEqual(w0, 'done', 'the projection is still running when the slide leaves');
  await p2.page.waitForTimeout(700);
  assert.equal(await pct(), w0, 'the projection waits while the slide is off screen');
  await post(p2.page, 'slide:start');
  await f2.waitForFunction(() => document.querySelector('#pending').hidden, null, { timeout: 120000 });
  assert.deepEqual([...problems, ...p2.problems], []);
  await p2.close();
});

test('a paused figure stays paused across slide:stop / slide:start', async () => {
  const { page, problems, close } = await openPage(shared.browser, shared.server.base);
  const frame = await host(page, `${shared.server.base}?lab=optimizers&steps=5000&autoplay=0&embed=1`);
  const p0 = await progress(frame);
  await post(page, 'slide:stop');
  await post(page, 'slide:start');
  await page.waitForTimeout(500);
  assert.equal(await progress(frame), p0, 'slide:start does not start a paused figure');
  assert.deepEqual(problems, []);
  await close();
});

// The H5P IFrame Embedder's host side, written from its protocol: answer hello, shrink the frame on
// prepareResize and answer resizePrepared, set the height on resize, and ask for a resize when the
// host window changes.
const H5P_HOST = `
  addEventListener('message', (e) => {
    const d = e.data;
    if (!d || d.context !== 'h5p') return;
    const f = [...document.querySelectorAll('iframe')].find((x) => x.contentWindow === e.source);
    if (!f) return;
    const reply = (action, extra = {}) => e.source.postMessage({ ...extra, action, context: 'h5p' }, e.origin === 'null' ? '*' : e.origin);
    if (d.action === 'hello') { f.style.width = '100%'; addEventListener('resize', () => reply('resize')); reply('hello'); }
    if (d.action === 'prepareResize') { f.style.height = '1px'; reply('resizePrepared'); }
    if (d.action === 'resize') { f.style.height = d.height + 'px'; window.sized = (window.sized || 0) + 1; }
  });`;

test('H5P: the frame sizes itself to the content through the resizer handshake, and again when the host resizes', async () => {
  const { page, problems, close } = await openPage(shared.browser, shared.server.base);
  // The README's H5P snippet, with the host side of the protocol in place of h5p-resizer.js (no network).
  const h5p = readmeSnippet('**H5P.**').replace(/<script src=[^\n]*<\/script>/, '').replace('style="', 'style="height:150px;');
  const frame = await hostHtml(page, h5p, H5P_HOST);
  await page.waitForFunction(() => window.sized > 0, null, { timeout: 5000 });
  await page.waitForTimeout(300);
  const h = await page.$eval('iframe', (f) => f.getBoundingClientRect().height);
  const content = await frame.evaluate(() => document.documentElement.scrollHeight);
  assert.ok(h > 400, `the frame grew from 150 px to the content (${h} px)`);
  assert.ok(Math.abs(h - content) <= 1, `frame height ${h} = content height ${content}`);
  const actions = await page.evaluate(() => msgs.filter((m) => m && m.context === 'h5p').map((m) => m.action));
  assert.deepEqual(actions.slice(0, 2), ['hello', 'prepareResize'], 'the frame greets first, then asks to resize');
  assert.ok(actions.includes('resize'), `the frame sends its height after resizePrepared: ${actions}`);
  // The figure is sized by the width, not by the (host-driven) frame height: no resize loop.
  const n = await page.evaluate(() => window.sized);
  await page.waitForTimeout(600);
  assert.equal(await page.evaluate(() => window.sized), n, 'the height settles');
  // A narrower host window: the frame follows the new content height.
  await page.setViewportSize({ width: 600, height: 900 });
  await page.waitForFunction((n) => window.sized > n, n, { timeout: 5000 });
  await page.waitForTimeout(300);
  const h2 = await page.$eval('iframe', (f) => f.getBoundingClientRect().height);
  const c2 = await frame.evaluate(() => document.documentElement.scrollHeight);
  assert.ok(Math.abs(h2 - c2) <= 1, `after the host resized: frame ${h2} = content ${c2}`);
  assert.deepEqual(problems, []);
  await close();
});

test('LTI hosts still get lti.frameResize; a page that is not framed says nothing', async () => {
  const { page, problems, close } = await openPage(shared.browser, shared.server.base);
  await host(page, `${shared.server.base}?lab=softmax&embed=1`);
  await page.waitForFunction(() => window.msgs.some((m) => typeof m === 'string' && m.includes('lti.frameResize')));
  const lti = JSON.parse((await page.evaluate(() => window.msgs.filter((m) => typeof m === 'string'))).at(-1));
  assert.equal(lti.subject, 'lti.frameResize');
  assert.ok(lti.height > 300);
  // No H5P host here: after hello nothing more is sent in that protocol.
  const h5p = await page.evaluate(() => msgs.filter((m) => m && m.context === 'h5p').map((m) => m.action));
  assert.deepEqual(h5p, ['hello']);
  assert.deepEqual(problems, []);
  await close();
});
