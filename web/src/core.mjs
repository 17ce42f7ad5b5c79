// Loads the C++ core (Embind ES module + .wasm) in browsers, Node, Deno and Cloudflare workerd.
// The Emscripten glue is built without any environment-specific loading code; this loader always compiles (or is
// given) a WebAssembly.Module and hands it over via instantiateWasm. In workerd, pass `wasmModule` (the .wasm
// imported as a module), since compiling wasm from bytes is forbidden there.
import createSpeakerIdCore from '../dist/speaker_id_core.mjs';
import { assetLoaded, assetUrl } from './assets.mjs';
import { InternalError, InvalidArgumentError, SpeakerIdError, errorFromCode } from './errors.mjs';

// `#platform` is imported only here, when the .wasm is to be read: a worker that passes `wasmModule` (workerd, whose
// module list names every import) never resolves it. In browsers the response is compiled as it streams in
// (WebAssembly.compileStreaming, when it is served as application/wasm): the compilation overlaps the download, and
// on a later visit Chromium can serve the compiled code from its code cache (bench/cold-start-browser.mjs).
async function defaultWasmModule() {
  const url = assetUrl('speaker_id_core.wasm');
  const { readBytes, fetchWasm, platform } = await import('#platform');
  let source;
  try {
    source = fetchWasm ? await fetchWasm(url) : await readBytes(url);
    if (source.streaming === false) source = new Uint8Array(await source.response.arrayBuffer());
    assetLoaded();
  } catch (err) {
    throw new Error(`speaker-id: could not load ${url} (${err?.code ?? err?.message ?? err})` +
      (platform === 'web' ? '; where the app serves the files elsewhere, call setAssetBase(URL) first (README: ' +
        '"Using it in a web app")' : ''));
  }
  return ArrayBuffer.isView(source) ? WebAssembly.compile(source) : WebAssembly.compileStreaming(source.response);
}

/**
 * Instantiate the core. Options (all optional):
 *   wasmModule: WebAssembly.Module   precompiled module (required in workerd)
 *   wasmBinary: ArrayBuffer|Uint8Array  the .wasm bytes
 * Without options the instance is shared (one per realm). Returns the Embind module (Frontend, WavDecoder, Gallery,
 * ProfileReader, Network, checkSpeakerName, families; bindings/README.md).
 */
let defaultCore = null;

export function loadCore({ wasmModule, wasmBinary } = {}) {
  // One core per realm for the default .wasm: the CLI, SpeakerId and the decoders share it.
  if (!wasmModule && !wasmBinary) {
    defaultCore ??= instantiate(undefined, undefined).catch((err) => {
      defaultCore = null;
      throw err;
    });
    return defaultCore;
  }
  return instantiate(wasmModule, wasmBinary);
}

// The bound classes and functions (bindings/speaker_id_bind.cpp).
const CLASSES = ['Frontend', 'WavDecoder', 'Gallery', 'ProfileReader', 'Network'];
const FUNCTIONS = ['checkSpeakerName', 'families'];

// The core's own failures arrive typed (sidError below). Embind refuses arguments of the wrong JS type before the
// C++ runs (a BindingError / TypeError), and a wasm trap is a RuntimeError: give those one typed face too.
function typed(what, err) {
  if (err instanceof SpeakerIdError) return err;
  const message = `${what}: ${err?.message ?? err}`;
  if (err?.name === 'BindingError' || err instanceof TypeError) return new InvalidArgumentError(message);
  return new InternalError(message);
}

function guard(what, fn) {
  return function guarded(...args) {
    try {
      return fn.apply(this, args);
    } catch (err) {
      throw typed(what, err);
    }
  };
}

function typedBoundary(core) {
  for (const name of CLASSES) {
    const Bound = core[name];
    const proto = Bound.prototype;
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (key === 'constructor' || typeof proto[key] !== 'function') continue;
      proto[key] = guard(`${name}.${key}`, proto[key]);
    }
    core[name] = new Proxy(Bound, {
      construct(target, args) {
        try {
          return Reflect.construct(target, args);
        } catch (err) {
          throw typed(`new ${name}`, err);
        }
      },
    });
  }
  for (const name of FUNCTIONS) core[name] = guard(name, core[name]);
  return core;
}

async function instantiate(wasmModule, wasmBinary) {
  const module = wasmModule ?? await (wasmBinary ? WebAssembly.compile(wasmBinary) : defaultWasmModule());
  return typedBoundary(await createSpeakerIdCore({
    // Every bound call that fails throws the typed error of the core's code (bindings/speaker_id_bind.cpp).
    sidError: errorFromCode,
    instantiateWasm(imports, receiveInstance) {
      WebAssembly.instantiate(module, imports).then((instance) => receiveInstance(instance, module));
      return {};
    },
  }));
}
