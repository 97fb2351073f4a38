// Renders assets/favicon.svg to assets/favicon.png (64×64, transparent) in headless Chromium:
//   node scripts/favicon.mjs
// Why a PNG: Chromium reloads the page icon on every history.replaceState, and an SVG icon is
// parsed as a whole SVG document each time (~2 ms of main-thread work per URL write, measured in
// a trace of the Distill-figure field event); a PNG only decodes.
import { launch, root } from '../tests/browser/harness.mjs';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const svg = readFileSync(join(root, 'assets', 'favicon.svg'), 'utf8');
const browser = await launch();
const page = await (await browser.newContext({ viewport: { width: 64, height: 64 } })).newPage();
await page.setContent(`<html><body style="margin:0;background:transparent">${svg.replace('<svg ', '<svg width="64" height="64" ')}</body></html>`);
writeFileSync(join(root, 'assets', 'favicon.png'), await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: 64, height: 64 } }));
await browser.close();
