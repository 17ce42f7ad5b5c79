// A file that decodes only in part (cut off, or a damaged frame: the decoders stop there without an error and return
// the audio before it) is not used silently: decodeAudio's result carries partialDecode, the SpeakerId quality
// report a partial_decode issue with the figures, and the CLI prints it as a warning for that file. An intact file
// says nothing. Real files from ../shared/audio, damaged in a temporary folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpeakerId, decodeAudio, loadCore } from '../../web/src/index.mjs';
import { SHARED, runCli } from './helpers.mjs';

const FLAC = `${SHARED}/audio/librispeech_test-other/1688/1688-142285-0000.flac`;  // 15.00 s, 16 kHz mono
const FLAC2 = `${SHARED}/audio/librispeech_test-other/1688/1688-142285-0001.flac`;
const OPUS = `${SHARED}/audio/speechocean762/SPEAKER3007/030070152.opus`;  // 3.70 s
const skip = [FLAC, FLAC2, OPUS].every(existsSync) ? false : `${SHARED}/audio is not here`;

const work = mkdtempSync(join(tmpdir(), 'sid-partial-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

const cut = (bytes, fraction) => bytes.subarray(0, Math.floor(bytes.length * fraction));
/** Bytes flipped in the middle of the file (inside a frame, not the headers). */
function flipped(bytes, at = 0.5, count = 20) {
  const b = Uint8Array.from(bytes);
  const start = Math.floor(b.length * at);
  for (let k = 0; k < count; k++) b[start + k * 7] ^= 0xff;
  return b;
}
const issues = (q) => q.issues.filter((i) => i.code === 'partial_decode');

test('decodeAudio: a cut or damaged FLAC / Ogg Opus carries partialDecode with its figures, an intact one not', { skip }, async () => {
  const core = await loadCore();
  const flac = readFileSync(FLAC);
  const whole = await decodeAudio(core, flac);
  assert.equal(whole.interleaved.length / whole.sampleRate, 15);
  assert.ok(!('partialDecode' in whole), 'an intact FLAC says nothing');

  const c = await decodeAudio(core, cut(flac, 0.6));
  assert.ok(c.partialDecode, 'a FLAC cut at 60 % is reported');
  assert.equal(c.partialDecode.format, 'flac');
  assert.equal(c.partialDecode.declaredSec, 15);
  assert.equal(c.partialDecode.decodedSec, c.interleaved.length / c.sampleRate);
  assert.ok(c.partialDecode.decodedSec > 0.5 * 15 && c.partialDecode.decodedSec < 0.6 * 15, `${c.partialDecode.decodedSec} s`);

  const d = await decodeAudio(core, flipped(flac));
  assert.ok(d.partialDecode, 'a FLAC with bytes flipped in its middle is reported');
  assert.equal(d.partialDecode.declaredSec, 15);
  assert.ok(d.partialDecode.decodedSec > 0.3 * 15 && d.partialDecode.decodedSec < 0.5 * 15, `${d.partialDecode.decodedSec} s`);

  const opus = readFileSync(OPUS);
  const o = await decodeAudio(core, opus);
  assert.ok(!('partialDecode' in o), 'an intact Ogg Opus says nothing');
  const oc = await decodeAudio(core, cut(opus, 0.6));
  assert.equal(oc.partialDecode.format, 'ogg');
  // The last page left declares how far the stream got (the cut falls inside it), less than the whole 3.70 s.
  assert.ok(oc.partialDecode.declaredSec > oc.partialDecode.decodedSec + 0.5 && oc.partialDecode.declaredSec <= 3.7,
    JSON.stringify(oc.partialDecode));
  const od = await decodeAudio(core, flipped(opus, 0.5, 200));
  assert.equal(od.partialDecode.declaredSec, 3.7);
  assert.ok(od.partialDecode.decodedSec < 3.6, JSON.stringify(od.partialDecode));
});

test('SpeakerId: enroll / identify / verify of a damaged FLAC report partial_decode in quality, an intact one not', { skip }, async () => {
  const sid = await SpeakerId.create();
  try {
    const flac = readFileSync(FLAC);
    const damaged = cut(flac, 0.6);
    const e = await sid.enroll('1688', [readFileSync(FLAC2), damaged]);
    assert.deepEqual(issues(e.quality[0]), []);
    assert.ok(!('partialDecode' in e.quality[0]));
    const [issue] = issues(e.quality[1]);
    assert.match(issue.message, /^decoded 8\.19 s of the 15\.00 s the FLAC header declares: the rest is cut off or damaged/);
    assert.deepEqual(e.quality[1].partialDecode, { format: 'flac', declaredSec: 15, decodedSec: 8.192 });
    assert.ok(Math.abs(e.quality[1].durationSec - 8.192) < 0.01, `durationSec ${e.quality[1].durationSec}`);

    const who = await sid.identify(flipped(flac));
    assert.equal(issues(who.quality).length, 1);
    assert.equal(who.quality.partialDecode.declaredSec, 15);
    const v = await sid.verify('1688', flac);
    assert.deepEqual(issues(v.quality), []);
    assert.ok(!('partialDecode' in v.quality));
  } finally {
    await sid.dispose();
  }
});

test('CLI: enroll and identify warn about the damaged file by name, not about the intact ones', { skip }, () => {
  const store = join(work, 'store');
  const damaged = join(work, 'cut-60.flac');
  const broken = join(work, 'flipped.flac');
  writeFileSync(damaged, cut(readFileSync(FLAC), 0.6));
  writeFileSync(broken, flipped(readFileSync(FLAC)));
  const warning = (file) => new RegExp(`^speaker-id: warning: ${file.replace(/[.]/g, '\\.')}: decoded [\\d.]+ s of the 15\\.00 s the FLAC header declares`, 'm');

  const e = runCli(['enroll', '--store', store, '1688', FLAC2, damaged]);
  assert.equal(e.code, 0, e.stderr);
  assert.match(e.stderr, warning(damaged));
  assert.doesNotMatch(e.stderr, new RegExp(FLAC2.replace(/[.]/g, '\\.')));

  const id = runCli(['identify', '--store', store, broken, FLAC]);
  assert.equal(id.code, 0, id.stderr);
  assert.match(id.stderr, warning(broken));
  assert.equal(id.stderr.trim().split('\n').length, 1, id.stderr);
  assert.equal(id.stdout.trim().split('\n').length, 2, id.stdout);
});
