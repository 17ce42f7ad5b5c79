// `speaker-id embed`: one JSON line per file with its embedding; --stages also writes every stage as .npy.
import { UsageError } from './cli-common.mjs';
import { commandOptions } from './cli-options.mjs';
import { openEmbedder, writeStages } from './cli-pipeline.mjs';

export const embedCommand = {
  usage: `usage: speaker-id embed [--model M] [--stages DIR] [--threads N] [--preprocess P] FILE...
  M: a model id from models/manifest.json, or a path to an .onnx exported by models/export.py (default: the
  embedded default model).
  Prints one JSON line per FILE: {"file", "model", "dim", "embedding", "durationSec", "backend", "threads", ...};
  backend: 'native' (onnxruntime-node) or 'wasm', SPEAKER_ID_BACKEND=native|wasm forces one; threads: ONNX
  Runtime's thread count (--threads, default every core up to 4).
  --stages DIR writes DIR/<name>/*.npy: the front-end stages, partial_embeds (Resemblyzer) and embedding.`,
  options: commandOptions(['model', 'threads', 'json', 'preprocess'], { stages: { type: 'string' } }),
  async run(values, files) {
    if (files.length === 0) throw new UsageError('no input files given');
    const embedder = await openEmbedder(values.model, values.threads,
      { preprocess: values.preprocess, stages: Boolean(values.stages) });
    const { model, backend, threads } = embedder;
    try {
      for (const file of files) {
        const r = await embedder.embedFile(file);
        if (values.stages) {
          const stages = { ...r.stages, embedding: { data: r.embedding, shape: [r.embedding.length] } };
          if (r.partials) stages.partial_embeds = r.partials;
          await writeStages(values.stages, file, stages);
        }
        process.stdout.write(JSON.stringify({
          file, model: model.id, family: model.family, dim: r.embedding.length,
          embedding: Array.from(r.embedding), durationSec: r.durationSec,
          sampleRate: r.audio.sampleRate, channels: r.audio.channels,
          partials: r.partials ? r.partials.shape[0] : undefined, backend, threads,
        }) + '\n');
      }
    } finally {
      await embedder.dispose();
    }
    return 0;
  },
};
