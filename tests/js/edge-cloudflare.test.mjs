// The HTTP API on Cloudflare workerd: `npm run edge:cloudflare` (the pinned wrangler in local mode: the Worker,
// one SQLite-backed Durable Object per tenant, ONNX Runtime Web on precompiled wasm) as a real process on
// 127.0.0.1, driven over HTTP by the shared suite; then what only this runtime shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SHARED, wavBytes } from './helpers.mjs';
import { httpApiSuite } from './http-api-suite.mjs';
import { startHttpRuntime } from './http-runtime.mjs';

const start = (env) => startHttpRuntime({ command: 'npm', args: ['run', '--silent', 'edge:cloudflare'], env, cwd: ROOT });

httpApiSuite('cloudflare (npm run edge:cloudflare)', start);

test('the launcher refuses a bad PORT before starting anything', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'demo/edge/cloudflare/run.mjs')],
    { encoding: 'utf8', env: { ...process.env, PORT: 'eighty' } });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /PORT must be a port number 1\.\.65535, got 'eighty'/);
});

test('without tokens every request is the tenant default, and workerd embeds as Node does', { timeout: 300000 }, async () => {
  // The reference runs what workerd runs: the int8 compact-ecapa its worker bundles (demo/edge/cloudflare/
  // tenant-object.mjs), on ONNX Runtime Web's wasm, one thread (onnxruntime-node agrees to 1 - cos <= 1e-6,
  // native-backend.test.mjs, but its int8 kernels round differently in the last bits).
  process.env.SPEAKER_ID_BACKEND = 'wasm';
  const { SpeakerId } = await import('../../web/src/index.mjs');
  const { loadCore } = await import('../../web/src/core.mjs');
  const { decodeAudio } = await import('../../web/src/audio-decode.mjs');
  const core = await loadCore();
  const dir = `${SHARED}/audio/librispeech_test-other/2414`;
  const files = readdirSync(dir).filter((f) => f.endsWith('.flac')).sort();
  const wav = async (f) => {
    const d = await decodeAudio(core, readFileSync(join(dir, f)));
    return wavBytes(d.interleaved, d.sampleRate);
  };
  const [enrolled, held] = [await wav(files[0]), await wav(files[5])];
  // The reference: the same WAV bytes through the library in Node.
  const sid = await SpeakerId.create({ model: 'compact-ecapa', threads: 1 });
  await sid.enroll('2414', enrolled);
  const expected = await sid.identify(held);
  await sid.dispose();

  const state = mkdtempSync(join(tmpdir(), 'sid-cf-open-'));
  const rt = await start({ SPEAKER_ID_TOKENS: '', SPEAKER_ID_STATE_DIR: state });
  try {
    const post = async (path, bytes) => {
      const f = new FormData();
      f.append('file', new Blob([bytes], { type: 'audio/wav' }), 'rec.wav');
      const r = await fetch(`${rt.origin}${path}`, { method: 'POST', body: f });
      const data = await r.json();
      assert.equal(r.status, 200, JSON.stringify(data));
      return data;
    };
    const config = await (await fetch(`${rt.origin}/api/config`)).json();
    assert.equal(config.runtime, 'cloudflare');
    await post('/api/enroll?name=2414', enrolled);
    const got = await post('/api/identify', held);
    assert.equal(got.speaker, '2414');
    assert.ok(Math.abs(got.topN[0].score_raw - expected.score) < 1e-5,
      `workerd score ${got.topN[0].score_raw}, node ${expected.score}`);
  } finally {
    await rt.stop();
    rmSync(state, { recursive: true, force: true });
  }
});
