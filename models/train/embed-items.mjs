// Embeds the validation items of a protocol file (models/train/protocol.py) with the library itself: SpeakerId.create
// ({ model: ONNX }) and embed(), i.e. the C++/wasm front-end and onnxruntime-web (wasm, 1 thread) exactly as an
// application runs them. Whole-file items are passed as the encoded bytes; a segment (start/dur) is decoded by the
// library's decoder, cut, and passed as { samples, sampleRate }. Refused items (quality checks) are written as null.
//   node models/train/embed-items.mjs MODEL.onnx PROTOCOL.json OUT.json [AUDIO_DIR]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeAudio } from '../../web/src/audio-decode.mjs';
import { loadCore } from '../../web/src/core.mjs';
import { SpeakerId } from '../../web/src/speaker-id.mjs';

const [model, protoPath, outPath, audioArg] = process.argv.slice(2);
if (!model || !protoPath || !outPath) {
  console.error('usage: node models/train/embed-items.mjs MODEL.onnx PROTOCOL.json OUT.json [AUDIO_DIR]');
  process.exit(2);
}
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const AUDIO = audioArg ?? (process.env.SID_SHARED_DIR ? join(process.env.SID_SHARED_DIR, 'audio')
  : join(ROOT, '..', 'shared', 'audio'));
const proto = JSON.parse(readFileSync(protoPath, 'utf8'));
// What browsers and edge workers run (Node would pick onnxruntime-node when installed; it agrees to 1 - cos <= 1e-6).
process.env.SPEAKER_ID_BACKEND = 'wasm';
const core = await loadCore();
const sid = await SpeakerId.create({ model, threads: 1 });
const out = { model: sid.model.id, onnx: model, embeddings: [], refused: [] };
const t0 = performance.now();
for (const [i, it] of proto.items.entries()) {
  const bytes = readFileSync(join(AUDIO, it.path));
  let input = bytes;
  if (it.start !== null) {
    const d = await decodeAudio(core, bytes);
    const ch = d.channels;
    const a = Math.round(it.start * d.sampleRate), n = Math.round(it.dur * d.sampleRate);
    const samples = new Float32Array(n);
    for (let k = 0; k < n; k++) {
      let v = 0;
      for (let c = 0; c < ch; c++) v += d.interleaved[(a + k) * ch + c] ?? 0;
      samples[k] = v / ch;
    }
    input = { samples, sampleRate: d.sampleRate };
  }
  try {
    out.embeddings.push(Array.from(await sid.embed(input)));
  } catch (err) {
    out.embeddings.push(null);
    out.refused.push({ item: i, path: it.path, reason: String(err?.message ?? err) });
  }
  if ((i + 1) % 200 === 0) process.stderr.write(`embed-items: ${i + 1}/${proto.items.length}\n`);
}
out.seconds = (performance.now() - t0) / 1000;
writeFileSync(outPath, JSON.stringify(out));
console.log(JSON.stringify({ model: out.model, items: proto.items.length, refused: out.refused.length, seconds: out.seconds }));
