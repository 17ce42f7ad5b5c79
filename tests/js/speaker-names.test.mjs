// One speaker-name rule everywhere (src/match/speaker_name.h): valid Unicode, NFC (names that look the same are
// the same speaker), no white space at either end, no control or bidirectional formatting characters; the API, the
// core and the profile import enforce it alike, and a refused name changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, InvalidProfileError, SpeakerId, loadCore } from '../../web/src/index.mjs';
import { SHARED } from './helpers.mjs';

const rec = (spk, utt) => readFileSync(`${SHARED}/audio/librispeech_test-other/${spk}/${spk}-${utt}.flac`);
const sid = await SpeakerId.create();
const NFD = 'Zoe\u0308';  // "Zoë" as e + combining diaeresis
const NFC = 'Zo\u00eb';

test('names that look identical are one speaker: NFD and NFC enroll, find and remove the same one', async () => {
  await sid.enroll(NFD, rec('1688', '142285-0000'));
  const r = await sid.enroll(NFC, rec('1688', '142285-0001'));
  assert.equal(r.speaker, NFC);
  assert.equal(r.samples, 2);
  assert.deepEqual((await sid.speakers()).map((s) => s.name), [NFC]);
  assert.equal((await sid.verify(NFD, rec('1688', '142285-0002'))).speaker, NFC);
  await sid.rename(NFD, 'Zoë L.');
  assert.equal(await sid.remove('Zoë L.'.normalize('NFD')), true);
  assert.deepEqual(await sid.speakers(), []);
});

test('lone surrogates, edge white space, white-space-only names and bidi controls are refused everywhere', async () => {
  await sid.enroll('ann', rec('1688', '142285-0000'));
  const bad = [['x\uD800y', /lone surrogate at character 1/], [' ann', /starts with white space/],
    ['ann ', /ends with white space/], ['\u3000', /white space/], ['   ', /white space/],
    ['\u202Eevil', /bidirectional formatting/], ['a\u2066b', /bidirectional/], ['a\u0007', /control character/]];
  for (const [name, why] of bad) {
    const refused = (e) => e instanceof InvalidArgumentError && why.test(e.message);
    await assert.rejects(sid.enroll(name, rec('1688', '142285-0001')), refused, JSON.stringify(name));
    await assert.rejects(sid.remove(name), refused);
    await assert.rejects(sid.rename('ann', name), refused);
    await assert.rejects(sid.verify(name, rec('1688', '142285-0001')), refused);
  }
  assert.deepEqual((await sid.speakers()).map((s) => [s.name, s.samples]), [['ann', 1]]);
  await sid.reset();
});

test('a profile blob with a name outside the rule is refused on import', async () => {
  const core = await loadCore();
  // The core alone accepts an NFD name (it has no Unicode tables); the import path refuses it.
  const g = new core.Gallery(sid.model.id, sid.model.sha256, sid.model.dim);
  try {
    g.buffer(sid.model.dim).set(new Float32Array(sid.model.dim).fill(0.1));
    g.addSample(NFD, 1, 1, 0);
    const blob = g.exportProfiles().slice();
    await assert.rejects(sid.importProfiles(blob), (e) => e instanceof InvalidProfileError && /not in Unicode NFC/.test(e.message));
    assert.throws(() => g.addSample(' x', 1, 1, 0), /starts with white space/);
  } finally {
    g.delete();
  }
  assert.deepEqual(await sid.speakers(), []);
  await sid.dispose();
});
