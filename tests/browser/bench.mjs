// Benchmark on the path a person takes: real DOM events (slider `input`, numeric-field `change`,
// a pointer drag on the plot) dispatched in headless Chromium against the release build, each
// timed from dispatch to the painted frame (two requestAnimationFrame callbacks later), with the
// handler's own time and the main thread's busy time from the CDP Performance domain (minus the
// same measurement around a no-op event); and animation frames while playing (busy time per
// frame over ≥ 60 frames, background work finished). Every lab at its defaults, at DPR 1 and 2,
// plus named cases. Prints a table with the targets and writes target/bench.json.
//   node tests/browser/bench.mjs [--dpr 1,2] [--quick] [--only slug,…] [--dist dir] [--out file.json]
// (--dist serves another build, e.g. an older commit's, for a before/after table.)
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { serve, launch, openPage, root, workDone } from './harness.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : dflt; };
const dprs = opt('--dpr', '1,2').split(',').map(Number);
const quick = argv.includes('--quick');
const only = opt('--only', '') ? opt('--only', '').split(',') : null;
const PER_SLIDER = quick ? 4 : 10;

const DISTILL = 'optimizers&surface=custom&f=(1-x)^2%2B20*(3*y-x^2)^2&opt=momentum&steps=150&x0=-1.21&y0=0.853&view=-2,2,-0.2667,1.0667';

/** Median and 95th percentile. */
function stats(v) {
  if (!v.length) return null;
  const s = [...v].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.round((s.length - 1) * p))];
  return { n: s.length, median: q(0.5), p95: q(0.95), max: s[s.length - 1] };
}

async function busyMs(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return 1000 * metrics.find((m) => m.name === 'TaskDuration').value;
}

/** Runs `act` in the page (dispatching an event) and waits for the painted frame; returns the
 * handler time, dispatch → frame, and the main thread's busy time. */
async function timed(page, cdp, act, arg) {
  const b0 = await busyMs(cdp);
  const r = await page.evaluate(async ([src, arg]) => {
    const fn = new Function('arg', src);
    const t0 = performance.now();
    fn(arg);
    const handler = performance.now() - t0;
    await new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)));
    return { handler, total: performance.now() - t0 };
  }, [act, arg]);
  r.busy = (await busyMs(cdp)) - b0;
  return r;
}

const NOOP = `document.createElement('div').dispatchEvent(new Event('input'));`;
const SLIDER = `const el = document.getElementById(arg.id); el.value = String(arg.pos); el.dispatchEvent(new Event('input', { bubbles: true }));`;
const FIELD = `const el = document.getElementById(arg.id); el.value = arg.text; el.dispatchEvent(new Event('change', { bubbles: true }));`;
const POINTER = `const el = document.getElementById('main-fg'); const r = el.getBoundingClientRect();
  el.dispatchEvent(new PointerEvent(arg.type, { bubbles: true, cancelable: true, pointerId: 1, pointerType: 'mouse', isPrimary: true, buttons: arg.type === 'pointerup' ? 0 : 1, clientX: r.left + arg.x * r.width, clientY: r.top + arg.y * r.height }));`;

async function baseline(page, cdp) {
  // On a settled page: a baseline taken while a load-time task (a font swap, the first URL write)
  // is still running is inflated, and every event's work minus it deflated (the Distill case once
  // read 1.4 ms against a 5.8 ms baseline; 4.2 ms against a settled one).
  await new Promise((ok) => setTimeout(ok, 500));
  const v = [];
  for (let i = 0; i < 16; i++) v.push(await timed(page, cdp, NOOP, null));
  return { busy: stats(v.map((r) => r.busy)).median, total: stats(v.map((r) => r.total)).median };
}

function summary(rs, base) {
  return {
    handler: stats(rs.map((r) => r.handler)),
    total: stats(rs.map((r) => r.total)),
    work: stats(rs.map((r) => Math.max(0, r.busy - base.busy))),
  };
}

async function sliders(page, cdp, base) {
  const ids = await page.$$eval('.controls .control.num:not([hidden]) input[type="range"]', (els) => els.map((e) => [e.id, Number(e.value)]));
  const all = [];
  const per = {};
  for (const [id, pos0] of ids) {
    const rs = [];
    for (let k = 0; k < PER_SLIDER; k++) {
      const pos = Math.max(0, Math.min(1000, pos0 + (k % 2 ? -1 : 1) * (20 + 7 * k)));
      rs.push(await timed(page, cdp, SLIDER, { id, pos }));
    }
    rs.push(await timed(page, cdp, SLIDER, { id, pos: pos0 }));
    await workDone(page, 120000);
    per[id.slice(2)] = summary(rs, base).work;
    all.push(...rs);
  }
  return { ...summary(all, base), per };
}

async function field(page, cdp, base, ids, values, n) {
  const rs = [];
  for (let k = 0; k < n; k++) {
    const id = ids[k % ids.length];
    // A person types a value and leaves the field seconds apart, so each event starts on a settled
    // page: the previous change's deferred URL write must not be billed to this one.
    await new Promise((ok) => setTimeout(ok, 120));
    rs.push(await timed(page, cdp, FIELD, { id, text: values[id][k % values[id].length] }));
  }
  return summary(rs, base);
}

async function drag(page, cdp, base) {
  const rs = [];
  await timed(page, cdp, POINTER, { type: 'pointerdown', x: 0.5, y: 0.5 });
  for (let k = 0; k < 30; k++) {
    const a = k * 0.21;
    rs.push(await timed(page, cdp, POINTER, { type: 'pointermove', x: 0.5 + 0.1 * Math.cos(a), y: 0.5 + 0.1 * Math.sin(a) }));
  }
  await timed(page, cdp, POINTER, { type: 'pointerup', x: 0.5, y: 0.5 });
  return summary(rs, base);
}

/** Busy time per animation frame while playing (≥ 60 frames), minus idle frames. */
async function playing(page, cdp) {
  const frames = async (ms) => {
    const b0 = await busyMs(cdp);
    const n = await page.evaluate((ms) => new Promise((ok) => {
      let n = 0; const t0 = performance.now();
      const f = () => { n++; if (performance.now() - t0 < ms) requestAnimationFrame(f); else ok(n); };
      requestAnimationFrame(f);
    }), ms);
    return { n, busy: (await busyMs(cdp)) - b0 };
  };
  // Idle frames on a settled page: the change before (a drag, a slider) still has its deferred
  // work due (the URL write, a drafted figure drawn in full), which must not count as idle.
  await new Promise((ok) => setTimeout(ok, 400));
  const idle = await frames(500);
  await page.click('#reset');
  await page.click('#play');
  const run = await frames(1500);
  await page.evaluate(() => { if (document.querySelector('#play').textContent.includes('❚❚')) document.querySelector('#play').click(); });
  const per = run.busy / Math.max(1, run.n) - idle.busy / Math.max(1, idle.n);
  return { frames: run.n, busy_per_frame: per };
}

async function ownTimings(browser, server, q, dpr) {
  const { page, close } = await openPage(browser, `${server.base}?lab=${q}&bench=1`, { dpr });
  const json = await page.$eval('#bench', (el) => el.textContent);
  await close();
  return json ? JSON.parse(json) : null;
}

const server = await serve(opt('--dist', undefined));
const browser = await launch();
const results = [];
try {
  const { page, close } = await openPage(browser, server.base);
  const labs = (await page.$$eval('li.card', (cards) => cards.map((c) => c.dataset.slug))).filter((s) => !only || only.includes(s));
  await close();
  for (const dpr of dprs) {
    for (const slug of labs) {
      const { page, problems, close } = await openPage(browser, `${server.base}?lab=${slug}&autoplay=0`, { dpr });
      // Load → first figure (navigation start to the first drawn frame, wasm compile included):
      // what a lazily loaded slide iframe costs every time it comes on screen.
      const first = await page.evaluate(() => performance.getEntriesByName('flowlab:first-figure')[0]?.startTime ?? null);
      await workDone(page, 120000);
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable');
      const base = await baseline(page, cdp);
      const r = { case: slug, dpr, base, first, slider: await sliders(page, cdp, base) };
      const hint = await page.locator('.hover').innerText();
      if (/drag|click/i.test(hint)) r.drag = await drag(page, cdp, base);
      if (!(await page.locator('#play').isHidden())) {
        await workDone(page, 120000);
        r.play = await playing(page, cdp);
      }
      r.own = await ownTimings(browser, server, slug, dpr);
      r.problems = problems;
      results.push(r);
      await close();
    }
    // Named cases: `q` is the query after `lab=`; `slider` times every slider, `field` typed values,
    // `play` the playing frames. One line per case; keep the lab's own cases together.
    const cases = [
      { case: 'distill-momentum (field change)', q: DISTILL, field: { ids: ['n-momentum_lr', 'n-momentum_mu'], values: { 'n-momentum_lr': ['0.002', '0.0021', '0.0025', '0.003'], 'n-momentum_mu': ['0.9', '0.95', '0.8', '0.99'] }, n: quick ? 20 : 100 } },
      { case: 'optimizers steps=5000 (play)', q: 'optimizers&steps=5000', play: true, target: { play: 5 } },
      { case: 'diffusion n=2000 (play)', q: 'diffusion', play: true, target: { play: 6 } },
      { case: 'diffusion n=20000 (play)', q: 'diffusion&n=20000', play: true, target: { play: dpr === 1 ? 12 : 16 } },
      { case: 'adam hessian (sliders)', q: 'adam', slider: true, target: { slider: 8 } },
      { case: 'adam batch (sliders)', q: 'adam&mode=batch', slider: true, target: { slider: 8 } },
      { case: 'recurrence rnn T=512 d=8 (sliders)', q: 'recurrence&mode=rnn&T=512&d=8', slider: true, target: { slider: 16 } },
      { case: 'recurrence ssm d=64 L=1024 (sliders)', q: 'recurrence&mode=ssm&d=64&L=1024', slider: true, target: { slider: 16 } },
      { case: 'recurrence ssm drawn input (drag)', q: 'recurrence&mode=ssm&input=drawn', drag: true, target: { drag: 4 } },
      { case: 'attention n=256 d=64 performer m=256 (sliders)', q: 'attention&n=256&d=64&map=performer&m=256', slider: true, target: { slider: 16 } },
      { case: 'attention n=64 d=64 performer m=256 (sliders)', q: 'attention&n=64&d=64&map=performer&m=256', slider: true, target: { slider: 8 } },
      { case: 'gaussians divergence (sliders)', q: 'gaussians', slider: true, target: { slider: 8 } },
      { case: 'gaussians flow n=20000 (play)', q: 'gaussians&mode=flow&n=20000&t=5', play: true, target: { play: 8 } },
      { case: 'gaussians flow n=2000 (drag)', q: 'gaussians&mode=flow', drag: true, target: { drag: 4 } },
      { case: 'gaussians flow n=20000 (drag)', q: 'gaussians&mode=flow&n=20000&t=5', drag: true, target: { drag: 4 } },
      { case: 'gaussians classify (sliders)', q: 'gaussians&mode=classify', slider: true, target: { slider: 8 } },
      { case: 'gaussians simplex (sliders)', q: 'gaussians&mode=simplex', slider: true, target: { slider: 8 } },
    ];
    for (const c of cases) {
      if (only && !only.some((s) => c.q.startsWith(s))) continue;
      const { page, problems, close } = await openPage(browser, `${server.base}?lab=${c.q}&autoplay=0`, { dpr });
      await workDone(page, 180000);
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable');
      const base = await baseline(page, cdp);
      const r = { case: c.case, dpr, base, problems, target: c.target };
      if (c.slider) r.slider = await sliders(page, cdp, base);
      if (c.field) r.field = await field(page, cdp, base, c.field.ids, c.field.values, c.field.n);
      if (c.drag) r.drag = await drag(page, cdp, base);
      if (c.play) r.play = await playing(page, cdp);
      r.own = await ownTimings(browser, server, c.q, dpr);
      results.push(r);
      await close();
    }
  }
} finally {
  await browser.close();
  await server.close();
}

const f = (s) => (s ? `${s.median.toFixed(2)} / ${s.p95.toFixed(2)}` : '—');
console.log('flowlab benchmark: headless Chromium, 1280×900, release build; milliseconds, median / p95');
console.log('work = main-thread busy time from dispatch to the painted frame minus a no-op event; frame = busy time per playing frame minus an idle frame');
console.log(['case'.padEnd(34), 'dpr', 'slider work'.padEnd(16), 'slider total'.padEnd(16), 'field work'.padEnd(14), 'drag work'.padEnd(14), 'play frame', 'first fig', 'own frame / redraw'].join('  '));
for (const r of results) {
  const play = r.play ? `${r.play.busy_per_frame.toFixed(2)} (${r.play.frames})` : '—';
  const own = r.own ? `${r.own.frame ? r.own.frame.mean_ms.toFixed(2) : '—'} / ${r.own.redraw ? r.own.redraw.median_ms.toFixed(2) : '—'}` : '—';
  console.log([r.case.padEnd(34), String(r.dpr).padEnd(3), f(r.slider?.work).padEnd(16), f(r.slider?.total).padEnd(16), f(r.field?.work).padEnd(14), f(r.drag?.work).padEnd(14), play.padEnd(10), (r.first == null ? '—' : r.first.toFixed(0)).padEnd(9), own].join('  '));
  if (r.problems?.length) console.log('   problems:', r.problems.join('; '));
}
// Targets of issue "Contract v2" (medians): printed, not enforced (machines are shared and noisy).
const check = (ok, what) => console.log(`${ok ? 'ok  ' : 'MISS'} ${what}`);
console.log('\ntargets:');
for (const r of results) {
  // A case's own `target` (from its issue) overrides the shell-wide ones.
  const t = { slider: 8, drag: 4, field: 3, ...r.target };
  if (r.slider) {
    // Every slider's own median (a pooled median hid three 13–28 ms sliders among fast ones).
    const [worst, w] = Object.entries(r.slider.per).reduce((a, [k, v]) => (v.median > a[1].median ? [k, v] : a), ['', { median: -1 }]);
    check(w.median <= t.slider, `${r.case} @${r.dpr}: every slider ≤ ${t.slider} ms (all ${r.slider.work.median.toFixed(2)}; slowest ${worst} ${w.median.toFixed(2)})`);
  }
  if (r.drag) check(r.drag.work.median <= t.drag, `${r.case} @${r.dpr}: drag ≤ ${t.drag} ms (${r.drag.work.median.toFixed(2)})`);
  if (r.field) check(r.field.work.median <= t.field, `${r.case} @${r.dpr}: ≤ ${t.field} ms (${r.field.work.median.toFixed(2)})`);
  if (t.play && r.play) check(r.play.busy_per_frame <= t.play, `${r.case} @${r.dpr}: frame ≤ ${t.play} ms (${r.play.busy_per_frame.toFixed(2)})`);
}
mkdirSync(join(root, 'target'), { recursive: true });
writeFileSync(opt('--out', join(root, 'target', 'bench.json')), JSON.stringify(results, null, 2));
