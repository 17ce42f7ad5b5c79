// `speaker-id features`: each front-end stage of each input file as .npy under OUT/<file name without extension>/.
import { loadCore } from '../src/core.mjs';
import { FRONTENDS, runFrontend } from '../src/frontends.mjs';
import { forFile, readAudioFile, writeStages } from './cli-audio.mjs';

export const featuresCommand = {
  usage: `usage: speaker-id features --frontend resemblyzer|ecapa --out DIR [--json] FILE...
  Writes DIR/<name>/<stage>.npy for each FILE (WAV, FLAC, Ogg, MP3):
    resemblyzer: raw vad_flags vad_smoothed vad_keep preprocessed mel slices
    ecapa:       fbank fbank_norm`,
  options: {
    frontend: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  async run(values, files, { UsageError }) {
    if (!values.frontend || !FRONTENDS.includes(values.frontend)) {
      throw new UsageError(`--frontend must be one of: ${FRONTENDS.join(', ')}`);
    }
    if (!values.out) throw new UsageError('--out DIR is required');
    if (files.length === 0) throw new UsageError('no input files given');
    const core = await loadCore();
    for (const file of files) {
      const audio = await readAudioFile(core, file);
      const result = await forFile(file, () => runFrontend(core, values.frontend, audio));
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
