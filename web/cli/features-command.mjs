// `speaker-id features`: each front-end stage of each input file as .npy under OUT/<file name without extension>/.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { loadCore } from '../src/core.mjs';
import { decodeAudio } from '../src/audio-decode.mjs';
import { FRONTENDS, runFrontend } from '../src/frontends.mjs';
import { encodeNpy } from '../src/npy.mjs';
import { InvalidAudioError } from '../src/errors.mjs';

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
      let bytes;
      try {
        bytes = await readFile(file);
      } catch (err) {
        throw new InvalidAudioError(`${file}: cannot read (${err.code ?? err.message})`);
      }
      let result;
      try {
        result = runFrontend(core, values.frontend, await decodeAudio(core, bytes));
      } catch (err) {
        err.message = `${file}: ${err.message}`;
        throw err;
      }
      const dir = join(values.out, basename(file, extname(file)));
      await mkdir(dir, { recursive: true });
      for (const [name, { data, shape }] of Object.entries(result.stages)) {
        await writeFile(join(dir, `${name}.npy`), encodeNpy(data, shape));
      }
      if (values.json) {
        const shapes = Object.fromEntries(Object.entries(result.stages).map(([k, v]) => [k, v.shape]));
        process.stdout.write(JSON.stringify({ file, frontend: values.frontend, out: dir,
          durationSec: result.durationSec, sampleRate: result.sampleRate, channels: result.channels, shapes }) + '\n');
      }
    }
    return 0;
  },
};
