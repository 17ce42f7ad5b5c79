// `npm start`: the main job. Until the embedded model lands, it runs both front-ends (through the wasm core) on
// speech from ../shared/audio (or on the files given as arguments) and prints what the model would receive.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { loadCore, decodeAudio, runFrontend } from '../src/index.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const shared = `${root}/../shared/audio`;
const files = process.argv.slice(2);
if (files.length === 0) {
  for (const f of ['librispeech_test-other/1688/1688-142285-0003.flac', 'speechbrain_tests_ASR/spk1_snt1.wav']) {
    if (existsSync(`${shared}/${f}`)) files.push(`${shared}/${f}`);
  }
}
if (files.length === 0) {
  console.error('speaker-id: no input: pass audio files (WAV, FLAC, ...) as arguments');
  process.exit(2);
}

const core = await loadCore();
for (const file of files) {
  const audio = await decodeAudio(core, await readFile(file));
  const r = runFrontend(core, 'resemblyzer', audio);
  const e = runFrontend(core, 'ecapa', audio);
  const kept = r.stages.vad_keep.data.reduce((a, b) => a + b, 0);
  console.log(JSON.stringify({
    file: file.replace(`${root}/`, ''),
    durationSec: +r.durationSec.toFixed(3),
    sampleRate: audio.sampleRate,
    channels: audio.channels,
    resemblyzer: { gainDb: +r.info.gainDb.toFixed(2), vadWindowsKept: `${kept}/${r.stages.vad_keep.shape[0]}`,
      partials: r.modelInput.shape[0], modelInput: r.modelInput.shape },
    ecapa: { frames: e.stages.fbank.shape[0], modelInput: e.modelInput.shape },
  }));
}
