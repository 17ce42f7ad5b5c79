// The prebuilt browser module web/dist/speaker-id.js (run by .ci/setup; README "Using it in a web app"): the
// package's browser entry (web/src/prebuilt.mjs) bundled by esbuild (pinned in package.json), except ONNX Runtime
// Web, which stays the file its package ships, copied beside it (web/dist/ort.wasm.bundle.min.mjs): ORT starts its
// thread workers from the script it is in, so that script must be ORT alone, not the whole module.
// A file whose content did not change is left alone, and a changed one is replaced by a rename: two `npm pack`s at
// once (the tests run two at a time, and prepack runs this) never read a half-written file.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'web', 'dist');
const ORT_FILE = 'ort.wasm.bundle.min.mjs';

function put(path, bytes) {
  if (existsSync(path) && Buffer.compare(readFileSync(path), Buffer.from(bytes)) === 0) return;
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

// The file `import('onnxruntime-web/wasm')` resolves to in a browser build (its "exports", condition "import").
const ortPackage = join(root, 'node_modules', 'onnxruntime-web');
const ortEntry = JSON.parse(readFileSync(join(ortPackage, 'package.json'), 'utf8')).exports['./wasm'].import.default;
put(join(dist, ORT_FILE), readFileSync(join(ortPackage, ortEntry)));

const { outputFiles } = await build({
  entryPoints: [join(root, 'web', 'src', 'prebuilt.mjs')],
  outfile: join(dist, 'speaker-id.js'),
  write: false,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  keepNames: true,  // the error classes are told apart by name (err.name) as well as by code
  sourcemap: true,
  logLevel: 'warning',
  plugins: [{
    name: 'ort-beside',
    setup(b) {
      b.onResolve({ filter: /^onnxruntime-web\/wasm$/ }, () => ({ path: `./${ORT_FILE}`, external: true }));
    },
  }],
});
for (const f of outputFiles) put(f.path, f.contents);
