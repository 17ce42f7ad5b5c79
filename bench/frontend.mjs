// Audio -> model input, what every embed / enroll / identify pays before inference: WAV bytes through the core's
// front-end (decode, downmix, resample, quality measurement, the family's features) in one call, as SpeakerId does
// it. 3 s and 10 s clips at 16 kHz and 44.1 kHz, both families; warm-up, then median / min / max of 31 runs.
// Prints one JSON line.
import { loadCore } from '../web/src/core.mjs';
import { ModelFrontend } from '../web/src/frontends.mjs';
import { qualityOptions } from '../web/src/quality.mjs';
import { clipWav } from './clips.mjs';

const core = await loadCore();
const quality = qualityOptions({});
const rows = [];
for (const family of ['ecapa', 'resemblyzer']) {
  const fe = new ModelFrontend(core, family);
  for (const rate of [16000, 44100]) {
    for (const seconds of [3, 10]) {
      const wav = new Uint8Array(clipWav(seconds, rate));
      for (let i = 0; i < 10; i++) fe.run({ wav }, { quality });
      const ms = [];
      for (let i = 0; i < 31; i++) {
        const t = performance.now();
        fe.run({ wav }, { quality });
        ms.push(performance.now() - t);
      }
      ms.sort((a, b) => a - b);
      rows.push({ family, rate, seconds, medianMs: ms[15], minMs: ms[0], maxMs: ms[30] });
    }
  }
  fe.dispose();
}
console.log(JSON.stringify({ rows }));
