// Resolves a model argument (a manifest id from models/manifest.json, a path to an .onnx exported by models/, or
// the .onnx bytes themselves) into its bytes and its description (family, front-end, embedding size, tensor names),
// read from the manifest entry or from the metadata the exporter writes into the .onnx.
import { assetLoaded, assetUrl, shippedModelAsset } from './assets.mjs';
import { InvalidArgumentError } from './errors.mjs';
import { readOnnxInfo } from './onnx-metadata.mjs';
// The manifest, files by path, the user's model cache (Node and Deno only): platform/node.mjs; browsers:
// platform/web.mjs.
import { baseManifest, entryUrl, modelUrl, notFetched, readBytes, sha256Hex, userManifest } from '#platform';

export { sha256Hex };

/** The project's manifest (models/manifest.json) plus the user's fetched models. */
export async function loadManifest() {
  const base = await baseManifest();
  const user = await userManifest();
  // A fetched model's user entry (with its local path) replaces the project's description of it.
  const byId = new Map(base.models.map((m) => [m.id, m]));
  for (const u of user.models) byId.set(u.id, u);
  return { ...base, models: [...byId.values()] };
}

// The family's own facts (input layout, embedding size) come from the core (Embedder); here only what the model says.
// A JSON-valued ONNX metadata entry (models/export.py writes objects so), or undefined when absent.
function metadataJson(text, source, key) {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidArgumentError(`${source}: ONNX metadata '${key}' is not JSON`);
  }
}

// The id of a model outside the manifest: its ONNX metadata model_id, else one made from its content, never from
// where the file lies (stores and IndexedDB databases are named by it). Models are told apart by sha256.
function describe(info, source, entry = {}, digest) {
  const family = entry.family ?? info.metadata.family;
  if (typeof family !== 'string' || !family) {
    throw new InvalidArgumentError(`${source}: the model names no family (manifest 'family' or ONNX metadata ` +
      "'family'); export models with models/export.py");
  }
  const dim = entry.embedding_dim ?? info.metadata.embedding_dim;
  return {
    id: entry.id ?? info.metadata.model_id ?? `sha256-${digest.slice(0, 16)}`,
    family,
    frontend: entry.frontend ?? info.metadata.frontend ?? family,
    dim: dim === undefined ? undefined : Number(dim),
    inputName: entry.input?.name ?? info.inputs[0],
    outputName: entry.output?.name ?? info.outputs[0],
    threshold: entry.threshold ?? (info.metadata.threshold ? Number(info.metadata.threshold) : undefined),
    calibration: entry.calibration ?? metadataJson(info.metadata.calibration, source, 'calibration'),
    // Already ONNX Runtime's optimised graph (models/quantize.py --ort-optimize): sessions skip ORT Web's optimiser.
    preOptimized: info.metadata.ort_optimized !== undefined,
    sha256: entry.onnx_sha256,
  };
}

/**
 * Whether `model` (a create() model argument) is a model the package ships that the core's own network runs (an
 * fp32 ECAPA-TDNN export: network-session.mjs), known before its bytes are read. False for anything else.
 */
export async function shippedCoreModel(model) {
  if (model !== undefined && model !== null && typeof model !== 'string') return false;
  const models = (await baseManifest()).models;
  const entry = model === undefined || model === null ? models.find((m) => m.default) : models.find((m) => m.id === model);
  return Boolean(entry?.path && entry.family === 'ecapa' && entry.precision === 'fp32');
}

/** The id of the manifest's default model (the embedded one). */
export async function defaultModelId() {
  const entry = (await baseManifest()).models.find((m) => m.default);
  if (!entry) throw new InvalidArgumentError('no default model in models/manifest.json: pass a model');
  return entry.id;
}

const ACCEPTED_MODELS = 'a manifest id, a path or URL of an .onnx file, or the .onnx bytes (Uint8Array or ArrayBuffer)';

// The manifest entry (the project's, then the user's fetched models) of the file with sha256 `digest`, if any: a
// file the manifest knows by content is that model (same id, same threshold) however it was given.
async function entryBySha(digest) {
  return (await baseManifest()).models.find((m) => m.onnx_sha256 === digest) ??
    (await loadManifest()).models.find((m) => m.onnx_sha256 === digest);
}

function parseOnnx(bytes, what) {
  try {
    return readOnnxInfo(bytes);
  } catch (err) {
    throw new InvalidArgumentError(`${what} is not an ONNX model (${err.message})`);
  }
}

// Where a runtime has no file system and cannot fetch its own modules (Cloudflare Workers), the app imports the
// .onnx as data and passes the bytes. They are copied: with { lazy: true } the session is created later, and the
// caller's buffer must not be able to change what was hashed.
async function resolveBytes(model) {
  const bytes = (ArrayBuffer.isView(model) ? model : new Uint8Array(model)).slice();
  if (bytes.length === 0) throw new InvalidArgumentError(`the model bytes are empty; model must be ${ACCEPTED_MODELS}`);
  const digest = await sha256Hex(bytes);
  const info = parseOnnx(bytes, `the model bytes (${bytes.length} bytes, sha256 ${digest.slice(0, 12)}…)`);
  return { bytes, ...describe(info, 'the model bytes', await entryBySha(digest), digest), sha256: digest };
}

/** Resolve `model` (manifest id, .onnx path/URL or .onnx bytes; default: the embedded model) -> { bytes, ...description }. */
export async function resolveModel(model) {
  if (model === undefined || model === null) model = await defaultModelId();
  // By tag, not instanceof: bytes from another realm (a vm context, a worker's transfer) are bytes too.
  const tag = Object.prototype.toString.call(model);
  if (tag === '[object Uint8Array]' || tag === '[object ArrayBuffer]') return resolveBytes(model);
  if (typeof model !== 'string' || model.length === 0) {
    const got = model === '' ? 'an empty string' : typeof model === 'object' ? tag : typeof model;
    throw new InvalidArgumentError(`model must be ${ACCEPTED_MODELS}; got ${got}`);
  }
  let url, entry, asset;
  if (/\.onnx$/i.test(model)) {
    url = modelUrl(model);
  } else {
    // A model the package ships needs only read access (Deno: no --allow-env / --allow-sys for the user's cache).
    const shipped = (await baseManifest()).models.find((m) => m.id === model && m.path);
    const manifest = shipped ? null : await loadManifest();
    entry = shipped ?? manifest.models.find((m) => m.id === model);
    if (!entry) {
      const ids = manifest.models.map((m) => m.id);
      throw new InvalidArgumentError(`unknown model '${model}'; known ids: ${ids.length ? ids.join(', ') : '(none)'}, ` +
        'or give a path to an .onnx exported by models/export.py');
    }
    if (!entry.path) throw new InvalidArgumentError(await notFetched(model, entry.fetch));
    // A model the package ships is an asset of its own (bundlers copy it, or it lies under the asset base); the
    // paths of fetched models (the user's cache, Node) are relative to the manifest's file.
    asset = shippedModelAsset(entry.path);
    url = asset ? assetUrl(asset) : entryUrl(entry.path);
  }
  let bytes;
  try {
    bytes = await readBytes(url);
    if (asset) assetLoaded();
  } catch (err) {
    throw new InvalidArgumentError(`cannot read model ${model}: ${err.code ?? err.message}`);
  }
  // Every model gets a sha256: profiles record it, so enrollments of one file are never matched with another's.
  const digest = await sha256Hex(bytes);
  if (entry?.onnx_sha256) {
    if (digest !== entry.onnx_sha256) {
      throw new InvalidArgumentError(`model '${model}' (${url.pathname}) has sha256 ${digest}, the manifest says ` +
        `${entry.onnx_sha256}: refusing a modified or wrong file`);
    }
  } else {
    // A file given by path or URL that the manifest knows (by content) is that model: same id, same threshold,
    // wherever it is loaded from.
    entry = await entryBySha(digest);
  }
  const info = parseOnnx(bytes, model);
  return { bytes, ...describe(info, model, entry, digest), sha256: digest };
}
