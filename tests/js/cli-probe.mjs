// Preloaded into CLI processes by the tests (NODE_OPTIONS=--import): at exit each process appends one JSON line to
// $SID_PROBE_LOG: { pid, argv, cores, sessions, otherWasm } = instances of the speaker-id core's wasm, ONNX Runtime
// InferenceSession.create calls (either backend), and every other wasm instance (ORT's own wasm, the FLAC decoder, ...).
import { appendFileSync, readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';

const coreExports = WebAssembly.Module.exports(
  new WebAssembly.Module(readFileSync(new URL('../../web/dist/speaker_id_core.wasm', import.meta.url))),
).map((e) => e.name).join();
const seen = { pid: process.pid, argv: process.argv.slice(1), cores: 0, sessions: 0, otherWasm: 0 };

const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = async function (...args) {
  const r = await instantiate.apply(this, args);
  if (Object.keys((r.instance ?? r).exports).join() === coreExports) seen.cores++;
  else seen.otherWasm++;
  return r;
};
// Both backends (web/src/platform/ort-node.mjs): onnxruntime-web's wasm, and onnxruntime-node when installed.
const counted = (InferenceSession) => {
  const createSession = InferenceSession.create;
  InferenceSession.create = function (...args) {
    seen.sessions++;
    return createSession.apply(this, args);
  };
};
counted(ort.InferenceSession);
const native = await import('onnxruntime-node').catch(() => null);
if (native) counted((native.default ?? native).InferenceSession);
process.on('exit', () => appendFileSync(process.env.SID_PROBE_LOG, JSON.stringify(seen) + '\n'));
