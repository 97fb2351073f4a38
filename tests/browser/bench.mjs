// Benchmark: loads every lab with `bench=1` in headless Chromium (release build) and reports the
// page's own timings: per-frame step+draw over a full run at default settings, a parameter change
// (replay + redraw) and a forced background (heat map) redraw. Writes target/bench.json.
//   node tests/browser/bench.mjs [--dpr 2] [--width 1280]
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { serve, launch, openPage, root } from './harness.mjs';

const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const dpr = arg('--dpr', 1);
// Extra pages to time, e.g. --also 'gradient_flow&streamlines=1' (repeatable).
const also = process.argv.flatMap((a, i) => (a === '--also' ? [process.argv[i + 1]] : []));
const width = arg('--width', 1280);

const server = await serve();
const browser = await launch();
const results = [];
try {
  const { page, close } = await openPage(browser, server.base);
  const labs = await page.$$eval('li.card', (cards) => cards.map((c) => c.dataset.slug));
  await close();
  for (const slug of [...labs, ...also]) {
    const { page, problems, close } = await openPage(browser, `${server.base}?lab=${slug}&bench=1`, { viewport: { width, height: 900 }, dpr });
    const json = await page.$eval('#bench', (el) => el.textContent);
    if (!json) throw new Error(`${slug}: no benchmark output`);
    const r = JSON.parse(json);
    r.viewport = `${width}x900@${dpr}x`;
    r.lab = slug;
    r.problems = problems;
    results.push(r);
    await close();
  }
} finally {
  await browser.close();
  await server.close();
}
const fmt = (s) => (s ? `${s.median_ms.toFixed(2)} / ${s.p95_ms.toFixed(2)} ms (n=${s.n})` : 'n/a');
const fmtMean = (s) => (s ? `${s.median_ms.toFixed(2)} / ${s.mean_ms.toFixed(2)} / ${s.p95_ms.toFixed(2)} ms (n=${s.n})` : 'n/a');
console.log(`flowlab benchmark, headless Chromium, viewport ${width}x900 at devicePixelRatio ${dpr}`);
console.log('lab'.padEnd(34), 'canvas'.padEnd(10), 'frame step+draw median / mean / p95'.padEnd(34), 'parameter change median / p95 [control]'.padEnd(44), 'background redraw median / p95'.padEnd(34), 'keystroke in a formula (parse+replay+redraw)'.padEnd(34), 'drag on the figure (per event)');
for (const r of results) {
  const all = r.every_slider ? `${r.every_slider.median_ms.toFixed(2)} / ${r.every_slider.p95_ms.toFixed(2)} / max ${r.every_slider.max_ms.toFixed(2)} ms` : 'n/a';
  console.log(`  ${r.lab}: every numeric control (median / p95 / max): ${all}`);
  console.log(r.lab.padEnd(34), (r.canvas ?? []).join('x').padEnd(10), fmtMean(r.frame).padEnd(34), `${fmt(r.param_change)} [${r.control}]`.padEnd(44), fmt(r.background).padEnd(34), fmt(r.keystroke).padEnd(34), fmt(r.drag));
}
mkdirSync(join(root, 'target'), { recursive: true });
writeFileSync(join(root, 'target', 'bench.json'), JSON.stringify(results, null, 2));
