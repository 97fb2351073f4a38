// Benchmark of the JL lab's chunked projection in headless Chromium (release build):
//  1. N = 1,000, d = 1,000: time from a k change (400 → 500) to finished statistics, and the longest
//     gap between animation frames meanwhile (the page must not block);
//  2. N = 2,000, d = 10,000, k = 1,000: time to completion and the memory the page reports.
//   node tests/browser/bench_jl.mjs
import { serve, launch, openPage } from './harness.mjs';

const server = await serve();
const browser = await launch();
const done = (page, timeout) => page.waitForFunction(() => document.querySelector('#pending')?.hidden === true, null, { timeout, polling: 20 });
try {
  {
    const { page, close } = await openPage(browser, `${server.base}?lab=jl&n=1000&d=1000&k=400`);
    await done(page, 120000);
    const r = await page.evaluate(() => new Promise((ok) => {
      let last = performance.now(), worst = 0, frames = 0;
      const t0 = performance.now();
      const f = () => {
        const now = performance.now();
        worst = Math.max(worst, now - last); last = now; frames++;
        if (document.querySelector('#pending').hidden && now - t0 > 50) ok({ ms: now - t0, worst, frames }); else requestAnimationFrame(f);
      };
      const field = document.querySelector('#n-k');
      field.value = '500';
      field.dispatchEvent(new Event('change', { bubbles: true }));
      requestAnimationFrame(f);
    }));
    console.log(`jl N=1000 d=1000: k 400 → 500 finished in ${r.ms.toFixed(0)} ms; longest frame gap ${r.worst.toFixed(1)} ms over ${r.frames} frames`);
    const t0 = Date.now();
    await page.reload();
    await page.waitForSelector('body[data-ready="1"]');
    await done(page, 120000);
    console.log(`jl N=1000 d=1000 k=500 from scratch (data, 50,000 pairs, 500 rows): ${Date.now() - t0} ms including page load`);
    await close();
  }
  {
    const t0 = Date.now();
    const { page, problems, close } = await openPage(browser, `${server.base}?lab=jl&n=2000&d=10000&k=1000`);
    await done(page, 600000);
    const mem = await page.locator('#readouts li', { hasText: /MB/ }).innerText();
    console.log(`jl N=2000 d=10000 k=1000 completed in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${mem}; problems: ${JSON.stringify(problems)}`);
    await close();
  }
} finally {
  await browser.close();
  await server.close();
}
