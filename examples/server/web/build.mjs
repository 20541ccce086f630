// Builds the example server's page into a directory:
//
//   node build.mjs <output directory>
//
// writes <output directory>/app.js (src/main.js and Better Auth's client, bundled and minified by
// esbuild), index.html and style.css. Nothing is fetched: the bundle comes from node_modules,
// installed by `npm ci` from package-lock.json.
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const [outArg, ...extra] = process.argv.slice(2);
if (!outArg || extra.length > 0) {
  console.error('usage: node build.mjs <output directory>');
  process.exit(2);
}
const outDir = path.resolve(outArg);
await mkdir(outDir, { recursive: true });

const result = await esbuild.build({
  absWorkingDir: here,
  entryPoints: [path.join(here, 'src', 'main.js')],
  outfile: path.join(outDir, 'app.js'),
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2020',
  platform: 'browser',
  charset: 'utf8',
  legalComments: 'eof',
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
  metafile: true,
});

for (const file of ['index.html', 'style.css']) {
  await copyFile(path.join(here, file), path.join(outDir, file));
}

const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(`web: built ${path.join(outDir, 'app.js')} (${(bytes / 1024).toFixed(1)} KiB), index.html, style.css`);
