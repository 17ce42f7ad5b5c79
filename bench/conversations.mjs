// Conversations assembled from real speech, for measuring streaming identification (bench/timeline.mjs,
// tests/js/identify-stream.test.mjs): LibriSpeech test-other speakers (never trained on), each enrolled from
// recordings 0-2; a conversation is turns of 3-15 s cut from their other recordings (3-9), with short silences
// between turns, among three enrolled speakers and one who is never enrolled. Seeded: the same conversations every run.
import { readdirSync, readFileSync } from 'node:fs';
import { seededRandom } from './seeded-random.mjs';

export const RATE = 16000;
export const ENROLL_RECORDINGS = 3;

/** { speaker: [Float32Array 16 kHz mono, ...] } of every test-other speaker (sorted), decoded by `decode(bytes)`. */
export async function loadSpeakers(dir, decode) {
  const out = {};
  for (const spk of readdirSync(dir).filter((n) => /^\d+$/.test(n)).sort()) {
    const files = readdirSync(`${dir}/${spk}`).filter((f) => f.endsWith('.flac')).sort();
    out[spk] = await Promise.all(files.map(async (f) => {
      const a = await decode(readFileSync(`${dir}/${spk}/${f}`));
      if (a.sampleRate !== RATE || a.channels !== 1) throw new Error(`${f}: expected 16 kHz mono`);
      return a.interleaved;
    }));
  }
  return out;
}

/**
 * `count` conversations of `turns` turns -> [{ audio: Float32Array, turns: [{ speaker, enrolled, start, end }],
 * enrolled: [3 names], unenrolled: name }]. `unenrolledPool`: the speakers that are never enrolled anywhere.
 */
export function assemble(speakers, { count = 4, turns = 10, unenrolledPool, seed = 7 } = {}) {
  const rnd = seededRandom(seed);
  const u = () => rnd() + 0.5;
  const pick = (arr) => arr[Math.floor(u() * arr.length)];
  const names = Object.keys(speakers);
  const enrolledPool = names.filter((n) => !unenrolledPool.includes(n));
  const out = [];
  for (let c = 0; c < count; c++) {
    const enrolled = [];
    while (enrolled.length < 3) {
      const n = pick(enrolledPool);
      if (!enrolled.includes(n)) enrolled.push(n);
    }
    const unenrolled = unenrolledPool[c % unenrolledPool.length];
    const cast = [...enrolled, unenrolled];
    const parts = [];
    const truth = [];
    let at = 0;
    let previous = null;
    for (let t = 0; t < turns; t++) {
      let who;
      do who = pick(cast); while (who === previous);
      previous = who;
      const clips = speakers[who].slice(ENROLL_RECORDINGS).filter((x) => x.length >= 3 * RATE);
      const clip = pick(clips);
      const len = Math.min(clip.length, Math.round((3 + 12 * u()) * RATE));
      const from = Math.floor(u() * (clip.length - len + 1));
      const gap = Math.round((0.1 + 0.5 * u()) * RATE);
      parts.push(new Float32Array(gap), clip.subarray(from, from + len));
      truth.push({ speaker: who, enrolled: who !== unenrolled, start: (at + gap) / RATE, end: (at + gap + len) / RATE });
      at += gap + len;
    }
    const audio = new Float32Array(at);
    let k = 0;
    for (const p of parts) { audio.set(p, k); k += p.length; }
    out.push({ audio, turns: truth, enrolled, unenrolled });
  }
  return out;
}

/**
 * Scores a timeline (final segments [{ start, end, speaker }]) against a conversation's turns: the fraction of turn
 * time labelled with the right speaker (null = right for the unenrolled one) -> { correctSec, speechSec, accuracy }.
 */
export function score(segments, turns) {
  let correct = 0;
  let speech = 0;
  for (const t of turns) {
    speech += t.end - t.start;
    const want = t.enrolled ? t.speaker : null;
    for (const s of segments) {
      if (s.speaker !== want) continue;
      correct += Math.max(0, Math.min(s.end, t.end) - Math.max(s.start, t.start));
    }
  }
  return { correctSec: correct, speechSec: speech, accuracy: correct / speech };
}

/**
 * Runs one conversation through `stream` in chunks of `chunkSec`, recording when each label was first reported:
 * -> { segments (final), delays: [seconds from a turn's start to the first event giving its right label there] }.
 */
export async function runConversation(stream, conversation, chunkSec = 0.1) {
  const events = [];
  const chunk = Math.round(chunkSec * RATE);
  const { audio, turns } = conversation;
  for (let at = 0; at < audio.length; at += chunk) {
    const pushed = Math.min(audio.length, at + chunk);
    for (const e of await stream.push(audio.subarray(at, pushed))) events.push({ ...e, at: pushed / RATE });
  }
  for (const e of await stream.end()) events.push({ ...e, at: audio.length / RATE });
  const delays = [];
  for (const t of turns.slice(1)) {
    const want = t.enrolled ? t.speaker : null;
    const first = events.find((e) => e.speaker === want && e.end > t.start + 0.01 && e.start < t.end && e.at >= t.start);
    if (first) delays.push(first.at - t.start);
  }
  return { segments: events.filter((e) => e.final), delays };
}
