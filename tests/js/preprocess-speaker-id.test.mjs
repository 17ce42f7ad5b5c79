// The 'speaker-id' preprocessing option (the Python Speaker-ID service's enhancement before the model's own
// front-end): the core's output equals an independent numpy implementation on real speech, SpeakerId and the CLI
// accept the option, and a bad value is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, SpeakerId, decodeAudio, encodeNpy, loadCore, runFrontend } from '../../web/src/index.mjs';
import { ROOT, SHARED, readNpy, runCli } from './helpers.mjs';

const core = await loadCore();
const speech = (spk, utt) => readFileSync(`${SHARED}/audio/librispeech_test-other/${spk}/${utt}.flac`);

test('the core equals the numpy reference of the service enhancement on real speech', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sid-enhance-'));
  try {
    for (const [spk, utt] of [['1688', '1688-142285-0000'], ['2033', '2033-164914-0001']]) {
      const audio = await decodeAudio(core, speech(spk, utt));
      assert.equal(audio.sampleRate, 16000);
      const r = runFrontend(core, 'ecapa', audio, { preprocess: 'speaker-id' });
      const mine = r.stages.speaker_id_preprocessed.data;
      writeFileSync(join(dir, 'in.npy'), encodeNpy(audio.interleaved, [audio.interleaved.length]));
      const py = spawnSync('/usr/bin/python3', [`${ROOT}tests/python/speaker_id_enhance_reference.py`,
        join(dir, 'in.npy'), join(dir, 'out.npy')], { encoding: 'utf8' });
      assert.equal(py.status, 0, py.stderr);
      const ref = readNpy(join(dir, 'out.npy')).data;
      assert.equal(mine.length, ref.length, utt);
      assert.equal(mine.length, 48000, `${utt}: the best 3 s window of a long recording`);
      let worst = 0;
      for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(mine[i] - ref[i]));
      assert.ok(worst <= 1e-6, `${utt}: max |d| ${worst}`);
      // The model input is the family's front-end of that signal: 301 fbank frames for 3 s.
      assert.deepEqual(r.modelInput.shape, [1, 301, 80]);
      const upstream = runFrontend(core, 'ecapa', audio);
      assert.ok(upstream.modelInput.shape[1] > 301);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SpeakerId.create({ preprocess }) identifies with the enhancement; bad values are refused', async () => {
  await assert.rejects(SpeakerId.create({ preprocess: 'enhance' }), (e) => e instanceof InvalidArgumentError && /'speaker-id'/.test(e.message));
  const sid = await SpeakerId.create({ preprocess: 'speaker-id' });
  const plain = await SpeakerId.create();
  try {
    const a = speech('1688', '1688-142285-0000');
    const e1 = await sid.embed(a);
    const e2 = await plain.embed(a);
    assert.equal(e1.length, 192);
    assert.notDeepEqual(e1, e2);
    await sid.enroll('ann', [speech('1688', '1688-142285-0001'), speech('1688', '1688-142285-0002')]);
    await sid.enroll('bob', [speech('2033', '2033-164914-0002'), speech('2033', '2033-164914-0003')]);
    assert.equal((await sid.identify(speech('1688', '1688-142285-0003'))).speaker, 'ann');
    assert.equal((await sid.identify(speech('2033', '2033-164914-0004'))).speaker, 'bob');
  } finally {
    await sid.dispose();
    await plain.dispose();
  }
});

test('the CLI takes --preprocess: features writes the enhanced signal, embed uses it, a bad value exits 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sid-enhance-cli-'));
  try {
    const file = `${SHARED}/audio/librispeech_test-other/1688/1688-142285-0000.flac`;
    const f = runCli(['features', '--frontend', 'ecapa', '--preprocess', 'speaker-id', '--out', dir, file]);
    assert.equal(f.code, 0, f.stderr);
    const cli = readNpy(join(dir, '1688-142285-0000', 'speaker_id_preprocessed.npy'));
    const api = runFrontend(core, 'ecapa', await decodeAudio(core, readFileSync(file)), { preprocess: 'speaker-id' });
    assert.deepEqual(cli.data, api.stages.speaker_id_preprocessed.data);
    assert.deepEqual(readNpy(join(dir, '1688-142285-0000', 'fbank_norm.npy')).shape, [301, 80]);
    const e = runCli(['embed', '--preprocess', 'speaker-id', file]);
    assert.equal(e.code, 0, e.stderr);
    const sid = await SpeakerId.create({ preprocess: 'speaker-id' });
    try {
      const want = await sid.embed(readFileSync(file));
      const got = JSON.parse(e.stdout).embedding;
      assert.ok(got.every((v, i) => Math.abs(v - want[i]) < 1e-6));
    } finally {
      await sid.dispose();
    }
    const bad = runCli(['embed', '--preprocess', 'loud', file]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--preprocess must be one of upstream, speaker-id/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
