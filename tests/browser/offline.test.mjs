// The one-file offline copy (scripts/offline.mjs → dist-offline/flowlab.html) opened from disk:
// no server, no network. Every lab draws, URL state works on the file URL, nothing is fetched.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sharedBrowser, openPage, canvasColours, search, root } from './harness.mjs';

const shared = sharedBrowser(before, after);
const file = join(root, 'dist-offline', 'flowlab.html');
const base = `file://${file}`;

test('offline file: opened from file:// with the network cut, every lab draws and keeps its state in the URL', async () => {
  assert.ok(existsSync(file), `${file} exists (scripts/offline.mjs writes it)`);
  const { page, problems, close } = await openPage(shared.browser, base);
  // Anything but the file itself (and inline data) would be a request the offline copy cannot make.
  const requests = [];
  page.on('request', (r) => { if (!r.url().startsWith('file://') && !r.url().startsWith('data:')) requests.push(r.url()); });
  await page.context().setOffline(true);
  const labs = await page.$$eval('li.card', (cards) => cards.map((c) => c.dataset.slug));
  assert.ok(labs.length >= 5, `landing lists the labs (${labs})`);
  for (const slug of labs) {
    await page.goto(`${base}?lab=${slug}&autoplay=0`);
    await page.waitForSelector('body[data-ready="1"]');
    const colours = Math.max(await canvasColours(page, '#main-bg'), await canvasColours(page, '#main-fg'));
    assert.ok(colours > 20, `${slug}: figure drawn from file:// (${colours} colours)`);
  }
  // State in the file URL: a slider writes it, a reload restores it.
  await page.goto(`${base}?lab=jl&autoplay=0`);
  await page.waitForSelector('body[data-ready="1"]');
  await page.focus('#c-k');
  for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowRight');
  const field = await page.inputValue('#n-k');
  const q = await search(page);
  assert.equal(new URLSearchParams(q).get('k'), field, 'the slider wrote k into the file URL');
  await page.reload();
  await page.waitForSelector('body[data-ready="1"]');
  assert.equal(await page.inputValue('#n-k'), field, 'reloading the file URL restores k');
  assert.deepEqual(requests, [], 'no network requests');
  assert.equal(await page.$('#panic'), null);
  assert.deepEqual(problems, []);
  await close();
});
