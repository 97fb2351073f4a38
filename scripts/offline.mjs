// Writes dist-offline/flowlab.html: the release build in dist/ as one self-contained HTML file
// (stylesheet, icon, JS glue and wasm inlined) that runs when opened from disk (file://) with no
// network. Browsers refuse module imports and fetches of file:// URLs, so nothing may be loaded:
// the glue becomes an inline module script (its `export`s dropped) and the wasm is instantiated
// from bytes decoded out of the page. URL state works as on a server: `flowlab.html?lab=jl&k=40`.
//   node scripts/offline.mjs [dist] [out-dir]
import { readFileSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const dist = process.argv[2] ?? 'dist';
const outDir = process.argv[3] ?? 'dist-offline';
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const files = readdirSync(dist);
const one = (re, what) => {
  const f = files.filter((n) => re.test(n));
  if (f.length !== 1) throw new Error(`expected one ${what} in ${dist}, found ${f.join(', ') || 'none'}`);
  return join(dist, f[0]);
};
const css = readFileSync(one(/^main-.*\.css$/, 'stylesheet'), 'utf8');
const icon = readFileSync(one(/^favicon-.*\.png$/, 'icon')).toString('base64');
const glue = readFileSync(one(/^flowlab-[0-9a-f]+\.js$/, 'JS glue'), 'utf8');
const wasm = readFileSync(one(/^flowlab-[0-9a-f]+_bg\.wasm$/, 'wasm module')).toString('base64');

if (/^\s*import\s/m.test(glue)) throw new Error('the JS glue imports other files (snippets?): inline them too');
const script = glue
  .replace(/^export \{[^}]*\};?\s*$/m, '')
  .replace(/^export (function|class|const|let|async function) /gm, '$1 ');
if (/^export /m.test(script)) throw new Error('an export the inliner does not know: ' + /^export .*/m.exec(script)[0]);

// A `</script>` inside the inlined code would end the element early.
const safe = (s) => s.replaceAll('</script', '<\\/script');
const boot = `
const b64 = ${JSON.stringify(wasm)};
const bin = atob(b64);
const bytes = new Uint8Array(bin.length);
for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
await __wbg_init({ module_or_path: bytes });
`;
let out = html
  .replace(/<link rel="stylesheet"[^>]*>/, () => `<style>\n${css}\n</style>`)
  .replace(/<link rel="icon"[^>]*>/, () => `<link rel="icon" href="data:image/png;base64,${icon}">`)
  .replace(/<link rel="(modulepreload|preload)"[^>]*>/g, '')
  .replace(/<script type="module">[\s\S]*?<\/script>/, () => `<script type="module">\n${safe(script)}\n${boot}</script>`);
for (const [what, re] of [['stylesheet link', /<link rel="stylesheet"/], ['external script', /<script[^>]+src=/], ['module import', /import init/]]) {
  if (re.test(out)) throw new Error(`offline file still has a ${what}`);
}
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'flowlab.html'), out);
console.log(`offline: ${join(outDir, 'flowlab.html')} (${(out.length / 1024 / 1024).toFixed(2)} MB, every lab, no network needed)`);
