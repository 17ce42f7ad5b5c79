// Long recordings (issue 10.1): memory stays bounded whatever the length (windows of at most EXACT_MAX_SEC, a WAV
// cut from its bytes), a recording up to EXACT_MAX_SEC is one window (the upstream result), and the pooled result
// of a long one is still its speaker. Real speech: LibriSpeech test-other recordings concatenated.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SpeakerId } from '../../web/src/index.mjs';
import { EXACT_MAX_SEC, planWindows } from '../../web/src/audio-windows.mjs';
import { loadCore } from '../../web/src/core.mjs';
import { decodeAudio } from '../../web/src/audio-decode.mjs';
import { NoVoiceError } from '../../web/src/errors.mjs';
import { ROOT, SHARED, concatToLength, wavBytes } from './helpers.mjs';

const TEST_OTHER = `${SHARED}/audio/librispeech_test-other`;
const RATE = 16000;
let core, dir;

/** The recordings of test-other speaker `spk` (sorted), decoded to 16 kHz mono. */
async function recordings(spk) {
  const files = readdirSync(`${TEST_OTHER}/${spk}`).filter((f) => f.endsWith('.flac')).sort();
  return Promise.all(files.map(async (f) => (await decodeAudio(core, readFileSync(`${TEST_OTHER}/${spk}/${f}`))).interleaved));
}

/** `clips` concatenated (looped) to exactly `sec` seconds. */
const loop = (clips, sec) => concatToLength(clips, Math.round(sec * RATE));

before(async () => {
  core = await loadCore();
  dir = mkdtempSync(join(tmpdir(), 'sid-long-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('a recording up to EXACT_MAX_SEC is one window; longer ones are equal windows of at most that', () => {
  const pcm = (sec) => ({ sampleRate: RATE, channels: 1, interleaved: new Float32Array(Math.round(sec * RATE)) });
  assert.equal(planWindows(core, pcm(EXACT_MAX_SEC)), null);
  assert.equal(planWindows(core, { wav: wavBytes(new Float32Array(EXACT_MAX_SEC * RATE)) }), null);
  for (const sec of [EXACT_MAX_SEC + 1, 3.5 * EXACT_MAX_SEC]) {
    for (const audio of [pcm(sec), { wav: wavBytes(new Float32Array(Math.round(sec * RATE))) }]) {
      const plan = planWindows(core, audio);
      assert.equal(plan.count, Math.ceil(sec / EXACT_MAX_SEC));
      assert.equal(plan.durationSec, sec);
      let frames = 0;
      for (let i = 0; i < plan.count; i++) {
        const w = plan.window(i);
        const n = w.wavParts ? w.wavParts[1].length / 2 : w.interleaved.length;
        assert.ok(n <= EXACT_MAX_SEC * RATE, `window ${i}: ${n} frames`);
        frames += n;
      }
      assert.equal(frames, Math.round(sec * RATE));
    }
  }
  // A WAV the core cannot probe goes the whole-file way, which says what is wrong.
  assert.equal(planWindows(core, { wav: new Uint8Array([82, 73, 70, 70, 1, 2, 3]) }), null);
});

test('a long recording in windows is still its speaker, with its quality measured over all of it', async () => {
  const speakers = ['1688', '2414', '3005'];
  const clips = Object.fromEntries(await Promise.all(speakers.map(async (s) => [s, await recordings(s)])));
  const sid = await SpeakerId.create({ store: 'memory' });
  try {
    for (const s of speakers) {
      await sid.enroll(s, clips[s].slice(6, 9).map((c) => ({ samples: c, sampleRate: RATE })));
    }
    // 3.5 windows of speaker 1688's other recordings, as a WAV and as PCM: both identify as 1688.
    const long = loop(clips['1688'].slice(0, 6), 3.5 * EXACT_MAX_SEC);
    for (const audio of [wavBytes(long), { samples: long, sampleRate: RATE }]) {
      const r = await sid.identify(audio);
      assert.equal(r.speaker, '1688', JSON.stringify(r.candidates));
      assert.equal(r.quality.durationSec, 3.5 * EXACT_MAX_SEC);
      assert.ok(r.quality.speechSec > 0.6 * r.quality.durationSec, `speech ${r.quality.speechSec} s`);
    }
    // Three copies of one window's audio: the measurements of all windows add up to three times one's.
    const one = loop(clips['2414'].slice(0, 6), EXACT_MAX_SEC);
    const three = new Float32Array(3 * one.length);
    for (let k = 0; k < 3; k++) three.set(one, k * one.length);
    const q1 = (await sid.identify(wavBytes(one))).quality;
    const q3 = (await sid.identify(wavBytes(three))).quality;
    assert.equal(q3.durationSec, 3 * q1.durationSec);
    assert.ok(Math.abs(q3.speechSec - 3 * q1.speechSec) < 1e-6, `${q3.speechSec} vs 3 x ${q1.speechSec}`);
    assert.ok(Math.abs(q3.speechDbfs - q1.speechDbfs) < 0.01);
    assert.equal(q3.peakDbfs, q1.peakDbfs);
    // Long silence is no voice, as a short one is.
    await assert.rejects(sid.identify(wavBytes(new Float32Array(2.5 * EXACT_MAX_SEC * RATE))), NoVoiceError);
    await assert.rejects(sid.embed({ samples: new Float32Array(2.5 * EXACT_MAX_SEC * RATE), sampleRate: RATE }), NoVoiceError);
  } finally {
    await sid.dispose();
  }
});

// Peak RSS of a fresh process embedding one file through the API.
function peakRssMb(file) {
  const script = `import { readFileSync } from 'node:fs';
    import { SpeakerId } from ${JSON.stringify(`${ROOT}web/src/index.mjs`)};
    const sid = await SpeakerId.create({ store: 'memory' });
    await sid.embed(readFileSync(${JSON.stringify(file)}));
    process.stdout.write(String(process.resourceUsage().maxRSS / 1024));`;
  return Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
}

test('memory stays bounded: 10 min of speech peaks within 250 MB of 1 min (it grew ~1 GB before)', async () => {
  const clips = await recordings('3080');
  const files = {};
  for (const min of [1, 10]) {
    files[min] = join(dir, `speech-${min}min.wav`);
    writeFileSync(files[min], wavBytes(loop(clips, min * 60)));
  }
  const rss1 = peakRssMb(files[1]);
  const rss10 = peakRssMb(files[10]);
  assert.ok(rss10 - rss1 < 250, `peak RSS 1 min ${rss1.toFixed(0)} MB, 10 min ${rss10.toFixed(0)} MB`);
});
