// Where the files SpeakerId loads at run time are: the core's .wasm, the embedded default model and ONNX Runtime
// Web's .wasm. (The model manifest is data of the package's code, not a file to host: platform/node.mjs reads it
// beside the package, browser builds import it as a JSON module, platform/web.mjs.)
//
// By default each is `new URL('<static relative path>', import.meta.url)` written out below, the pattern Vite,
// webpack 5 and Parcel find in the code, copy into the build and rewrite, so an app built with them needs no step
// of its own. Bundlers that leave that pattern alone (esbuild: its issue #795) and apps that host the files
// elsewhere call setAssetBase(URL) once, before the first SpeakerId.create() / loadCore(): every file is then
// looked up by its name (ASSET_NAMES) under that URL. The package ships exactly that folder: web/dist/ (built by
// .ci/setup), which is also where the prebuilt browser module web/dist/speaker-id.js looks by default (itself).
// One base per realm: the core and ONNX Runtime are loaded once per page and keep the files they were loaded from.
import { InvalidArgumentError } from './errors.mjs';

// The literals must stay static, relative and in this module for the bundlers to see them.
const BUNDLED = {
  'speaker_id_core.wasm': () => new URL('../dist/speaker_id_core.wasm', import.meta.url),
  'compact-ecapa.onnx': () => new URL('../../models/compact/compact-ecapa.onnx', import.meta.url),
  'compact-ecapa-fp32.onnx': () => new URL('../../models/compact/compact-ecapa-fp32.onnx', import.meta.url),
  'ort-wasm-simd-threaded.wasm': () => new URL('../dist/ort-wasm-simd-threaded.wasm', import.meta.url),
};

/** The names of the files under an asset base (in the package's web/dist/, beside the prebuilt module). */
export const ASSET_NAMES = Object.freeze(Object.keys(BUNDLED));

// The manifest's `path` of each model the package ships -> the name of its file in the asset folder.
const SHIPPED_MODELS = { 'compact/compact-ecapa.onnx': 'compact-ecapa.onnx',
  'compact/compact-ecapa-fp32.onnx': 'compact-ecapa-fp32.onnx' };

let base = null;
let used = false;

function toBase(value) {
  if (value instanceof URL) value = value.href;
  if (typeof value !== 'string' || value === '') {
    throw new InvalidArgumentError('setAssetBase(base): base must be a URL or a URL string, e.g. "/speaker-id/"');
  }
  let url;
  try {
    // A relative base ('/speaker-id/', './assets/') is relative to the page (document.baseURI / the worker's location).
    const page = globalThis.document?.baseURI ?? globalThis.location?.href;
    url = new URL(value, page);
  } catch {
    throw new InvalidArgumentError(`setAssetBase: '${value}' is not a URL` +
      (globalThis.location ? '' : ' (here, with no page to be relative to, give an absolute one)'));
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';  // a folder: 'https://cdn/x' means 'https://cdn/x/'
  url.search = '';
  url.hash = '';
  return url;
}

/**
 * Where the files are looked up from now on: a URL (or a string, relative to the page) of a folder holding the
 * files named in ASSET_NAMES (copy the package's web/dist/ there). null goes back to the bundled locations.
 * Throws once a file was loaded from the base in use (the core and ONNX Runtime keep what they loaded first).
 */
export function setAssetBase(value) {
  const next = value === null ? null : toBase(value);
  if (used && String(next) !== String(base)) {
    throw new InvalidArgumentError('setAssetBase: call it before the first SpeakerId.create() / loadCore(); the ' +
      `files were already loaded from ${base ? base.href : 'the bundled locations'}`);
  }
  base = next;
}

/** The asset base in use, or null for the bundled locations. */
export function getAssetBase() {
  return base ? new URL(base.href) : null;
}

/** The URL of asset `name` (one of ASSET_NAMES). */
export function assetUrl(name) {
  const bundled = BUNDLED[name];
  if (!bundled) throw new InvalidArgumentError(`unknown asset '${name}'`);
  return base ? new URL(name, base) : bundled();
}

/** Called once a file was loaded from assetUrl() (or handed to ONNX Runtime): the base is fixed from then on. */
export function assetLoaded() {
  used = true;
}

/** The asset name of a model the package ships, from its manifest path, or undefined. */
export function shippedModelAsset(path) {
  return Object.hasOwn(SHIPPED_MODELS, path) ? SHIPPED_MODELS[path] : undefined;
}
