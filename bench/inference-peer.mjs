// One inference peer of bench/stages.mjs: the library's own ONNX session (web/src/onnx-session.mjs) on one backend
// at one thread count, or (--backend core) the core's own network (web/src/network-session.mjs, one thread), in a
// process of its own (ORT fixes its thread pool per process, and an idle peer's pool
// must not run while another peer is measured). JSON lines on stdin, answers on stdout; the same protocol as
// bench/pytorch-peer.py:
//   {"op":"load","key":K,"onnx":PATH}  {"op":"input","key":K,"input":I,"file":F32,"shape":[..]}
//   {"op":"run","key":K,"input":I,"n":N}   (a model holds any number of named inputs, one per clip length)
//   node bench/inference-peer.mjs --backend wasm|native|core --threads N
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { backend: { type: 'string' }, threads: { type: 'string' } } });
process.env.SPEAKER_ID_BACKEND = values.backend;  // read by #ort when the first session is created
const threads = Number(values.threads);
const { createSession, inferenceBackend } = await import('../web/src/onnx-session.mjs');
const { openNetworkSession } = await import('../web/src/network-session.mjs');
const { loadCore } = await import('../web/src/core.mjs');
const { resolveModel } = await import('../web/src/model-registry.mjs');
const onCore = values.backend === 'core';
const core = onCore ? await loadCore() : null;

const models = new Map();  // key -> { session, inputName, feeds: Map input -> feeds }
const answer = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
answer({ hello: values.backend, threads });
for await (const line of createInterface({ input: process.stdin })) {
  const cmd = JSON.parse(line);
  try {
    if (cmd.op === 'load') {
      const t = performance.now();
      const model = await resolveModel(cmd.onnx);
      const session = onCore ? openNetworkSession(core, model) : await createSession(model.bytes, { threads });
      if (!session) throw new Error(`the core's network does not run ${cmd.onnx}`);
      models.set(cmd.key, { session, inputName: model.inputName, feeds: new Map() });
      answer({ ok: true, ms: performance.now() - t, backend: onCore ? 'core' : await inferenceBackend() });
    } else if (cmd.op === 'input') {
      const buf = readFileSync(cmd.file);
      const data = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
      const m = models.get(cmd.key);
      m.feeds.set(cmd.input, { [m.inputName]: { data, shape: cmd.shape } });
      answer({ ok: true });
    } else if (cmd.op === 'run') {
      const m = models.get(cmd.key), feeds = m.feeds.get(cmd.input), ms = [];
      for (let i = 0; i < cmd.n; i++) {
        const t = performance.now();
        await m.session.run(feeds);
        ms.push(performance.now() - t);
      }
      answer({ ms });
    } else if (cmd.op === 'exit') {
      break;
    } else {
      answer({ error: `unknown op ${cmd.op}` });
    }
  } catch (err) {
    answer({ error: String(err?.message ?? err) });
  }
}
for (const m of models.values()) await m.session.dispose();
