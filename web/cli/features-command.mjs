// `speaker-id features`: each front-end stage of each input file as .npy under OUT/<file name without extension>/.
import { UsageError } from './cli-common.mjs';
import { commandOptions } from './cli-options.mjs';
import { FRONTENDS, frontendStages, writeStages } from './cli-pipeline.mjs';

export const featuresCommand = {
  usage: `usage: speaker-id features --frontend resemblyzer|ecapa --out DIR [--preprocess P] [--json] FILE...
  Writes DIR/<name>/<stage>.npy for each FILE (WAV, FLAC, Ogg, MP3):
    resemblyzer: raw vad_flags vad_smoothed vad_keep preprocessed mel slices
    ecapa:       fbank fbank_norm
    with --preprocess speaker-id also speaker_id_preprocessed (the enhanced 16 kHz signal)`,
  options: commandOptions(['json', 'preprocess'], { frontend: { type: 'string' }, out: { type: 'string' } }),
  async run(values, files) {
    if (!values.frontend || !FRONTENDS.includes(values.frontend)) {
      throw new UsageError(`--frontend must be one of: ${FRONTENDS.join(', ')}`);
    }
    if (!values.out) throw new UsageError('--out DIR is required');
    if (files.length === 0) throw new UsageError('no input files given');
    for (const file of files) {
      const result = await frontendStages(values.frontend, file, { preprocess: values.preprocess });
      const dir = await writeStages(values.out, file, result.stages);
      if (values.json) {
        const shapes = Object.fromEntries(Object.entries(result.stages).map(([k, v]) => [k, v.shape]));
        process.stdout.write(JSON.stringify({ file, frontend: values.frontend, out: dir,
          durationSec: result.durationSec, sampleRate: result.sampleRate, channels: result.channels, shapes }) + '\n');
      }
    }
    return 0;
  },
};
