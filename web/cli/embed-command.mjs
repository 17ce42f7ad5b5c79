// `speaker-id embed`: one JSON line per file with its embedding; --stages also writes every stage as .npy.
import { loadCore } from '../src/core.mjs';
import { Embedder } from '../src/embedder.mjs';
import { resolveModel } from '../src/model-registry.mjs';
import { forFile, readAudioFile, writeStages } from './cli-audio.mjs';

export const embedCommand = {
  usage: `usage: speaker-id embed [--model M] [--stages DIR] [--threads N] FILE...
  M: a model id from models/manifest.json, or a path to an .onnx exported by models/export.py (default: the
  embedded default model).
  Prints one JSON line per FILE: {"file", "model", "dim", "embedding", "durationSec", ...}.
  --stages DIR writes DIR/<name>/*.npy: the front-end stages, partial_embeds (Resemblyzer) and embedding.`,
  options: {
    model: { type: 'string' },
    stages: { type: 'string' },
    threads: { type: 'string', default: '1' },
    json: { type: 'boolean', default: true },
    help: { type: 'boolean', short: 'h', default: false },
  },
  async run(values, files, { UsageError }) {
    if (files.length === 0) throw new UsageError('no input files given');
    const threads = Number(values.threads);
    if (!Number.isInteger(threads) || threads < 1 || threads > 64) throw new UsageError('--threads must be 1..64');
    const core = await loadCore();
    const model = await resolveModel(values.model);
    const embedder = await Embedder.create(core, model, { threads });
    try {
      for (const file of files) {
        const audio = await readAudioFile(core, file);
        const r = await forFile(file, () => embedder.embed(audio, { stages: Boolean(values.stages) }));
        if (values.stages) {
          const stages = { ...r.stages, embedding: { data: r.embedding, shape: [r.embedding.length] } };
          if (r.partials) stages.partial_embeds = r.partials;
          await writeStages(values.stages, file, stages);
        }
        process.stdout.write(JSON.stringify({
          file, model: model.id, family: model.family, dim: r.embedding.length,
          embedding: Array.from(r.embedding), durationSec: r.durationSec,
          sampleRate: audio.sampleRate, channels: audio.channels,
          partials: r.partials ? r.partials.shape[0] : undefined,
        }) + '\n');
      }
    } finally {
      await embedder.dispose();
    }
    return 0;
  },
};
