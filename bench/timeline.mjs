// Streaming identification on assembled conversations (bench/conversations.mjs): the fraction of speech time given
// the right speaker (or unknown for the unenrolled one) and the delay from a turn change to its right label, for a
// few window / hop settings, default model. Node, 1 thread. `--quick`: the default setting only.
import { fileURLToPath } from 'node:url';
import { SpeakerId } from '../web/src/index.mjs';
import { decodeAudio } from '../web/src/audio-decode.mjs';
import { loadCore } from '../web/src/core.mjs';
import { ENROLL_RECORDINGS, RATE, assemble, loadSpeakers, runConversation, score } from './conversations.mjs';

const DIR = fileURLToPath(new URL('../../shared/audio/librispeech_test-other', import.meta.url));
// [windowSec, hopSec, minSegmentSec, threshold (undefined: the stream's default)]; --settings JSON overrides.
const at = process.argv.indexOf('--settings');
const SETTINGS = at > 0 ? JSON.parse(process.argv[at + 1]) : process.argv.includes('--quick') ? [[2, 0.5, 1.5]]
  : [[2, 0.5, 1.5], [3, 0.5, 1.5], [3, 0.5, 0], [3, 1, 2], [4, 0.5, 1.5]];
const core = await loadCore();
const speakers = await loadSpeakers(DIR, (b) => decodeAudio(core, b));
const unenrolledPool = Object.keys(speakers).slice(-2);
const conversations = assemble(speakers, { count: 6, turns: 10, unenrolledPool });
const sid = await SpeakerId.create();
for (const [name, clips] of Object.entries(speakers)) {
  if (unenrolledPool.includes(name)) continue;
  await sid.enroll(name, clips.slice(0, ENROLL_RECORDINGS).map((samples) => ({ samples, sampleRate: RATE })));
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)] : NaN; };
const rows = [];
for (const [windowSec, hopSec, minSegmentSec, threshold] of SETTINGS) {
  let correct = 0, speech = 0, ms = 0;
  const delays = [];
  for (const c of conversations) {
    const stream = sid.stream({ sampleRate: RATE, windowSec, hopSec, minSegmentSec, ...(threshold !== undefined && { threshold }) });
    const t0 = performance.now();
    const r = await runConversation(stream, c);
    ms += performance.now() - t0;
    const s = score(r.segments, c.turns);
    correct += s.correctSec;
    speech += s.speechSec;
    delays.push(...r.delays);
  }
  rows.push({ windowSec, hopSec, minSegmentSec, threshold: threshold ?? null, accuracy: correct / speech, speechSec: speech, medianDelaySec: median(delays),
    maxDelaySec: Math.max(...delays), labelledChanges: delays.length, changes: conversations.length * 9,
    realTimeFactor: ms / 1000 / (conversations.reduce((a, c) => a + c.audio.length, 0) / RATE) });
  process.stderr.write(`timeline: window ${windowSec} s, hop ${hopSec} s done\n`);
}
await sid.dispose();
console.log(JSON.stringify({ conversations: conversations.length, rows }));
