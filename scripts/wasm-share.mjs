// Each lab's share of the wasm bundle: reads a wasm file built with symbol names (not stripped),
// sums the code size of every function by the module path in its (mangled) name, and prints the
// labs, the shared layers and the dependencies, largest first. Sizes are of the unoptimised-by-
// wasm-opt code section, so they add up to a little more than the shipped file.
//   node scripts/wasm-share.mjs target/wasm32-unknown-unknown/release/flowlab.wasm
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) throw new Error('usage: node scripts/wasm-share.mjs <file.wasm>');
const buf = readFileSync(file);
let pos = 8;
const u32 = () => { let r = 0, s = 0, b; do { b = buf[pos++]; r |= (b & 0x7f) << s; s += 7; } while (b & 0x80); return r >>> 0; };
const name = () => { const n = u32(); const s = buf.toString('utf8', pos, pos + n); pos += n; return s; };

let imported = 0;
const bodies = [];
const names = new Map();
while (pos < buf.length) {
  const id = buf[pos++];
  const size = u32();
  const end = pos + size;
  if (id === 2) { // imports: functions are numbered after them
    for (let n = u32(); n > 0; n--) {
      name(); name();
      const kind = buf[pos++];
      if (kind === 0) { u32(); imported++; } else if (kind === 1) { pos++; const f = u32(); u32(); if (f & 1) u32(); } else if (kind === 2) { const f = u32(); u32(); if (f & 1) u32(); } else if (kind === 3) { pos += 2; } else { u32(); }
    }
  } else if (id === 10) { // code
    for (let n = u32(); n > 0; n--) { const len = u32(); bodies.push(len); pos += len; }
  } else if (id === 0) {
    const sec = name();
    if (sec === 'name') {
      while (pos < end) {
        const sub = buf[pos++];
        const len = u32();
        const subEnd = pos + len;
        if (sub === 1) for (let n = u32(); n > 0; n--) { const idx = u32(); names.set(idx, name()); }
        pos = subEnd;
      }
    }
  }
  pos = end;
}
if (names.size === 0) throw new Error(`${file} has no name section (build with CARGO_PROFILE_RELEASE_STRIP=none)`);

/** The module path of a legacy-mangled Rust symbol: `_ZN7flowlab4labs2jl...` → ['flowlab','labs','jl',…]. */
function path(sym) {
  const m = /_ZN((?:\d+[^\d][^]*?)+)17h[0-9a-f]{16}E/.exec(sym);
  if (!m) return [sym];
  const out = []; let s = m[1];
  while (s.length) { const d = /^(\d+)/.exec(s); if (!d) break; const n = Number(d[1]); s = s.slice(d[1].length); out.push(s.slice(0, n)); s = s.slice(n); }
  return out;
}
const groups = new Map();
bodies.forEach((len, i) => {
  const p = path(names.get(i + imported) ?? '?');
  let g;
  if (p[0] === 'flowlab') g = p[1] === 'labs' && p[2] ? `lab ${p[2]}` : `flowlab::${p[1] ?? '?'}`;
  else if (p[0].startsWith('_$LT$') || p[0].startsWith('<')) g = 'trait impls (generic)';
  else g = `crate ${p[0].replace(/\$.*$/, '')}`;
  groups.set(g, (groups.get(g) ?? 0) + len);
});
const total = bodies.reduce((a, b) => a + b, 0);
console.log(`wasm code by origin (${file}, ${(total / 1024).toFixed(0)} KB of function bodies):`);
for (const [g, n] of [...groups].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
  console.log(`  ${g.padEnd(36)} ${(n / 1024).toFixed(1).padStart(7)} KB  ${((100 * n) / total).toFixed(1).padStart(5)} %`);
}
