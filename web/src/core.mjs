// Loads the C++ core (Embind ES module + .wasm) in browsers, Node, Deno and Cloudflare workerd.
// The Emscripten glue is built without any environment-specific loading code; this loader always compiles (or is
// given) a WebAssembly.Module and hands it over via instantiateWasm. In workerd, pass `wasmModule` (the .wasm
// imported as a module), since compiling wasm from bytes is forbidden there.
import createSpeakerIdCore from '../dist/speaker_id_core.mjs';

function isNodeLike() {
  return typeof process === 'object' && process !== null && typeof process.versions?.node === 'string';
}

async function defaultWasmBytes() {
  const WASM_URL = new URL('../dist/speaker_id_core.wasm', import.meta.url);
  if (WASM_URL.protocol === 'file:' && isNodeLike()) {
    const { readFile } = await import('node:fs/promises');
    return readFile(WASM_URL);
  }
  const res = await fetch(WASM_URL);
  if (!res.ok) throw new Error(`speaker-id: could not load ${WASM_URL} (HTTP ${res.status})`);
  return res.arrayBuffer();
}

/**
 * Instantiate the core. Options (all optional):
 *   wasmModule: WebAssembly.Module   precompiled module (required in workerd)
 *   wasmBinary: ArrayBuffer|Uint8Array  the .wasm bytes
 * Without options the instance is shared (one per realm). Returns the Embind module (classes FloatBuffer, WavFile, AudioPrep, ResemblyzerFrontend, EcapaFrontend, ...).
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

async function instantiate(wasmModule, wasmBinary) {
  const module = wasmModule ?? await WebAssembly.compile(wasmBinary ?? await defaultWasmBytes());
  return createSpeakerIdCore({
    instantiateWasm(imports, receiveInstance) {
      WebAssembly.instantiate(module, imports).then((instance) => receiveInstance(instance, module));
      return {};
    },
  });
}
