#!/usr/bin/env node
// node models/fetch.mjs resemblyzer|ecapa [--weights FILE] [--hparams FILE]
//   (in a checkout also `npm run models:fetch -- ...`; in a project that installed the package
//   `node node_modules/speaker-id/models/fetch.mjs ...`: that project has no models:fetch script)
// Downloads the real upstream weights (or takes files obtained elsewhere), verifies them, exports them to ONNX with
// models/export.py and registers them in the user's model cache (outside the repository):
//   $SPEAKER_ID_CACHE or $XDG_CACHE_HOME/speaker-id or ~/.cache/speaker-id   ->  <id>.onnx + manifest.json
// Offline it fails within seconds and says what to download and how to pass it with --weights.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PYTHON = '/usr/bin/python3';

const MANIFEST = join(ROOT, 'models/manifest.json');
const FAMILY_IDS = { resemblyzer: 'resemblyzer', ecapa: 'ecapa-voxceleb' };

/** This script as a command that runs from the working directory (relative below it, else absolute). */
function selfCommand() {
  const self = fileURLToPath(import.meta.url);
  const rel = relative(process.cwd(), self);
  const path = rel && !isAbsolute(rel) && rel.split(sep)[0] !== '..' ? rel : self;
  return `node ${/^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, "'\\''")}'`}`;
}

/** The manifest entry of a fetchable upstream model; its `source` says what to download and how to verify it. */
export function fetchableEntry(family) {
  const id = FAMILY_IDS[family];
  return JSON.parse(readFileSync(MANIFEST, 'utf8')).models.find((m) => m.id === id && m.source);
}

export function cacheDir() {
  if (process.env.SPEAKER_ID_CACHE) return process.env.SPEAKER_ID_CACHE;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'speaker-id');
}

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
const gitBlobSha1 = (buf) => createHash('sha1').update(`blob ${buf.length}\0`).update(buf).digest('hex');

/** Why `buf` is not the expected upstream file, or '' when it is. */
export function verify(spec, buf) {
  if (spec.bytes && buf.length !== spec.bytes) return `${buf.length} bytes, expected ${spec.bytes}`;
  if (spec.git_blob_sha1 && gitBlobSha1(buf) !== spec.git_blob_sha1) {
    return `git blob hash ${gitBlobSha1(buf)}, expected ${spec.git_blob_sha1}`;
  }
  if (spec.sha256 && sha256(buf) !== spec.sha256) return `sha256 ${sha256(buf)}, expected ${spec.sha256}`;
  return '';
}

class FetchError extends Error {}
class RefusedError extends Error {}

async function download(spec, timeoutMs) {
  let res;
  try {
    res = await fetch(spec.url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  } catch (err) {
    throw new FetchError(`cannot download ${spec.url}: ${err.cause?.code ?? err.name}`);
  }
  if (!res.ok) throw new FetchError(`cannot download ${spec.url}: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

async function obtain(family, key, spec, given, cache) {
  const cached = join(cache, 'downloads', family, spec.name);
  let buf, origin;
  if (given) {
    try {
      buf = readFileSync(resolve(given));
    } catch (err) {
      throw new RefusedError(`cannot read --${key} ${given} (${err.code ?? err.message})`);
    }
    origin = given;
  } else if (existsSync(cached)) {
    buf = readFileSync(cached);
    origin = cached;
  } else {
    buf = await download(spec, Number(process.env.SPEAKER_ID_FETCH_TIMEOUT_MS ?? 15000));
    origin = spec.url;
  }
  const why = verify(spec, buf);
  if (why) throw new RefusedError(`refusing ${origin}: it is not the upstream ${spec.name} (${why})`);
  if (!existsSync(cached)) {
    mkdirSync(join(cache, 'downloads', family), { recursive: true });
    writeFileSync(cached, buf);
  }
  return cached;
}

function register(cache, entry) {
  const path = join(cache, 'manifest.json');
  const manifest = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : { version: 1, models: [] };
  manifest.models = manifest.models.filter((m) => m.id !== entry.id).concat(entry);
  writeFileSync(path, JSON.stringify(manifest, null, 2) + '\n');
  return path;
}

async function main() {
  const { values, positionals } = parseArgs({
    options: { weights: { type: 'string' }, hparams: { type: 'string' } }, allowPositionals: true,
  });
  const family = positionals[0];
  const source = FAMILY_IDS[family] && fetchableEntry(family);
  if (!source) {
    console.error(`models:fetch: which model? accepted: ${Object.keys(FAMILY_IDS).join(', ')}`);
    return 2;
  }
  const cache = cacheDir();
  const paths = {};
  try {
    for (const [key, spec] of Object.entries(source.source)) {
      paths[key] = await obtain(family, key, spec, values[key], cache);
    }
  } catch (err) {
    if (!(err instanceof FetchError)) throw err;
    const flags = Object.entries(source.source).map(([k, s]) => `--${k} /path/to/${s.name}`).join(' ');
    console.error([
      `models:fetch: ${err.message}`,
      'This machine cannot reach the internet (or the host refused). Download these files elsewhere:',
      ...Object.values(source.source).map((s) => `  ${s.url}`),
      `then run: ${selfCommand()} ${family} ${flags}`,
    ].join('\n'));
    return 1;
  }
  const onnx = join(cache, `${source.id}.onnx`);
  const args = [join(ROOT, 'models/export.py'), family, '--weights', paths.weights, '--out', onnx];
  if (paths.hparams) args.push('--hparams', paths.hparams);
  const r = spawnSync(PYTHON, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`models:fetch: the export failed (${PYTHON} ${args.join(' ')})`);
    return 1;
  }
  const bytes = readFileSync(onnx);
  const seen = Object.fromEntries(Object.entries(source.source).map(([k, s]) =>
    [k, { ...s, sha256_seen: sha256(readFileSync(paths[k])) }]));
  const where = register(cache, {
    ...source, path: onnx, onnx_sha256: sha256(bytes), file_size: bytes.length, source: seen,
  });
  console.log(`models:fetch: ${source.id} exported to ${onnx} and registered in ${where}`);
  return 0;
}

// Run as a script (not imported by the tests). Through a symlinked install (pnpm, npm link) argv[1] is the link and
// import.meta.url the real file: compared as real paths, else the command would exit 0 having done nothing.
const invoked = (() => {
  try {
    return Boolean(process.argv[1]) && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();
if (invoked) {
  try {
    process.exitCode = await main();
  } catch (err) {
    console.error(`models:fetch: ${err.message}`);
    process.exitCode = err instanceof RefusedError ? 2 : 1;
  }
}
