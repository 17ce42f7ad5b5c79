// The same recording enrolled twice (again later, or twice in one call) is refused: it would count its speech twice
// toward enrollmentPercent and add nothing to the voiceprint. The refusal stores nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, SpeakerId } from '../../web/src/index.mjs';
import { SHARED } from './helpers.mjs';

const rec = (utt) => readFileSync(`${SHARED}/audio/librispeech_test-other/1688/1688-${utt}.flac`);

test('the same recording cannot be enrolled twice', async () => {
  const sid = await SpeakerId.create();
  try {
    const first = await sid.enroll('ann', rec('142285-0000'));
    await assert.rejects(sid.enroll('ann', rec('142285-0000')), (e) => e instanceof InvalidArgumentError &&
      /the same recording is already enrolled for 'ann' \(its sample 1\)/.test(e.message));
    await assert.rejects(sid.enroll('ann', [rec('142285-0001'), rec('142285-0001')]), (e) => e instanceof InvalidArgumentError &&
      e.index === 1 && /already in this call \(recording 1\)/.test(e.message));
    const [info] = await sid.speakers();
    assert.equal(info.samples, 1);
    assert.equal(info.enrollmentPercent, first.enrollmentPercent);
    // Another speaker may hold the same recording (a shared device's first test clip): only the same speaker refuses.
    assert.equal((await sid.enroll('bob', rec('142285-0000'))).samples, 1);
    assert.equal((await sid.enroll('ann', rec('142285-0001'))).samples, 2);
  } finally {
    await sid.dispose();
  }
});
