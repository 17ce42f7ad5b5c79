// The HTTP API's behaviour, driven over real HTTP against a real runtime on 127.0.0.1: `speaker-id serve` (Node),
// Cloudflare workerd (npm run edge:cloudflare) and Deno (npm run edge:deno) each run it from their own test file:
//
//   httpApiSuite('deno', (env) => startHttpRuntime({ command: 'npm', args: ['run', '--silent', 'edge:deno'], env }));
//
// `start(env)` starts the runtime with the given environment (SPEAKER_ID_TOKENS, SPEAKER_ID_STATE_DIR,
// SPEAKER_ID_MAX_BODY_BYTES) and resolves to { origin, stop() } (http-runtime.mjs). Real speech: unseen speakers of
// LibriSpeech test-other, sent as 16-bit WAV (decoded from its FLAC here).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCore } from '../../web/src/core.mjs';
import { decodeAudio } from '../../web/src/audio-decode.mjs';
import { SHARED, wavBytes } from './helpers.mjs';

const DATA = `${SHARED}/audio/librispeech_test-other`;
export const TOKENS = { a: 'tok-tenant-a-0123456789', b: 'tok-tenant-b-0123456789', c: 'tok-tenant-c-0123456789' };
const TOKEN_ENV = `${TOKENS.a}:alpha,${TOKENS.b}:beta,${TOKENS.c}:gamma`;
const MAX_BODY = 3 * 2 ** 20;

const core = await loadCore();
async function wavOf(speaker, i) {
  const dir = join(DATA, speaker);
  const file = readdirSync(dir).filter((f) => f.endsWith('.flac')).sort()[i];
  const d = await decodeAudio(core, readFileSync(join(dir, file)));
  const mono = new Float32Array(d.interleaved.length / d.channels);
  for (let k = 0; k < mono.length; k++) mono[k] = d.interleaved[k * d.channels];
  return wavBytes(mono, d.sampleRate);
}

// Three speakers: A and B are enrolled (recordings 0-2), their recording 5 is held out; C is never enrolled.
const [A, B, C] = ['1688', '1998', '2033'];
const audio = {};
for (const s of [A, B, C]) audio[s] = await Promise.all([0, 1, 2, 5].map((i) => wavOf(s, i)));

const auth = (token) => (token ? { authorization: `Bearer ${token}` } : {});
function form(files, fields = {}) {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  for (const [i, bytes] of files.entries()) f.append('file', new Blob([bytes], { type: 'audio/wav' }), `rec${i}.wav`);
  return f;
}

export function httpApiSuite(name, start, { timeout = 300000 } = {}) {
  describe(`HTTP API on ${name}`, { timeout }, () => {
    const state = mkdtempSync(join(tmpdir(), `sid-http-${name}-`));
    const env = { SPEAKER_ID_TOKENS: TOKEN_ENV, SPEAKER_ID_STATE_DIR: state, SPEAKER_ID_MAX_BODY_BYTES: String(MAX_BODY) };
    let rt;
    let proxyRetries = 0;
    const call = async (method, path, { token = TOKENS.a, body, headers = {} } = {}) => {
      let r = await fetch(`${rt.origin}${path}`, { method, body, headers: { ...auth(token), ...headers } });
      // wrangler's local dev proxy (not workerd, not this API: its errors are JSON and never say Retry-After) now and
      // then fails one of many concurrent requests on a loaded machine with a plain-text 503 "Your worker restarted
      // mid-request ... try sending the request again" and Retry-After: 0, before the request reached the Worker
      // (nothing was stored). A client does what it says, at most twice; the count is reported.
      for (let i = 0; i < 2 && r.status === 503 && r.headers.get('retry-after') === '0' &&
        !(r.headers.get('content-type') ?? '').includes('json'); i++) {
        proxyRetries += 1;
        r = await fetch(`${rt.origin}${path}`, { method, body, headers: { ...auth(token), ...headers } });
      }
      const type = r.headers.get('content-type') ?? '';
      const data = type.includes('json') ? await r.json() : new Uint8Array(await r.arrayBuffer());
      return { status: r.status, headers: r.headers, data };
    };
    // The runtime's own output, for a failure's message (what the server logged when it went wrong).
    const tail = () => `\n--- runtime output (last 3000 characters) ---\n${rt.output().slice(-3000)}`;
    const ok = async (...args) => {
      const r = await call(...args);
      assert.equal(r.status, 200, `${args[0]} ${args[1]} -> ${r.status} ${JSON.stringify(r.data)}${tail()}`);
      return r.data;
    };

    before(async () => { rt = await start(env); });
    after(async () => {
      await rt?.stop();
      rmSync(state, { recursive: true, force: true });
    });

    test('GET /health is open; every other route needs a valid token (401, JSON)', async () => {
      assert.deepEqual((await call('GET', '/health', { token: null })).data, { status: 'ok' });
      for (const [path, token] of [['/api/profiles', null], ['/api/profiles', 'not-a-token'], ['/api/health', null],
        ['/metrics', null]]) {
        const r = await call('GET', path, { token });
        assert.equal(r.status, 401, `${path} with ${token}`);
        assert.equal(r.data.error, 'unauthorized');
        assert.match(r.data.detail, /bearer token/);
      }
      const enrolled = await call('POST', '/api/enroll?name=Mallory', { token: null, body: form([audio[C][0]]) });
      assert.equal(enrolled.status, 401);
      assert.deepEqual((await ok('GET', '/api/health')), { status: 'ok' });
      const cfg = await ok('GET', '/api/config');
      assert.equal(cfg.default_threshold, 0.82);
      assert.equal(cfg.threshold, 0.82);
      assert.equal(cfg.embedding_dim, 192);
      assert.ok(['native', 'wasm', 'core'].includes(cfg.backend), `backend ${cfg.backend}`);  // ONNX Runtime, or the core's network
    });

    test('enrolls unseen speakers (multipart WAV) and identifies held-out recordings at the default threshold', async () => {
      const first = await ok('POST', `/api/enroll?name=${A}`, { body: form([audio[A][0]]) });
      assert.equal(first.ok, true);
      assert.equal(first.name, A);
      assert.equal(first.samples, 1);
      // Several recordings in one request, and the name as a form field (both shapes Speaker-ID's clients use).
      const more = await ok('POST', '/api/enroll', { body: form([audio[A][1], audio[A][2]], { name: A }) });
      assert.equal(more.samples, 3);
      for (const i of [0, 1, 2]) await ok('POST', `/api/enroll?name=${B}`, { body: form([audio[B][i]]) });
      assert.deepEqual((await ok('GET', '/api/profiles')).profiles, [A, B]);
      for (const s of [A, B]) {
        const r = await ok('POST', '/api/identify?threshold=0.82&topk=5', { body: form([audio[s][3]]) });
        assert.equal(r.speaker, s, JSON.stringify(r));
        assert.ok(r.confidence >= 0.82 && r.confidence <= 1, `confidence ${r.confidence}`);
        assert.equal(r.topN[0].name, s);
        assert.equal(r.topN[0].score, r.confidence);
        assert.ok(r.topN[0].score_raw >= r.threshold_raw);
        assert.equal(r.topN.length, 2);
      }
      const unknown = await ok('POST', '/api/identify', { body: form([audio[C][3]]) });
      assert.equal(unknown.speaker, 'unknown', JSON.stringify(unknown));
      assert.ok(unknown.confidence < 0.82);
      // Stricter is higher: at 0.999 even the genuine recording is refused.
      const strict = await ok('POST', '/api/identify?threshold=0.999', { body: form([audio[A][3]]) });
      assert.equal(strict.speaker, 'unknown');
    });

    test('verify accepts the enrolled speaker and rejects another', async () => {
      const yes = await ok('POST', `/api/verify?name=${A}`, { body: form([audio[A][3]]) });
      assert.equal(yes.accepted, true);
      assert.ok(yes.confidence >= 0.82);
      const no = await ok('POST', `/api/verify?name=${A}`, { body: form([audio[B][3]]) });
      assert.equal(no.accepted, false);
      const nobody = await call('POST', '/api/verify?name=Nobody', { body: form([audio[B][3]]) });
      assert.equal(nobody.status, 404);
      assert.equal(nobody.data.error, 'unknown_speaker');
    });

    test('another tenant sees none of them, and its own enrollments stay its own', async () => {
      assert.deepEqual((await ok('GET', '/api/profiles', { token: TOKENS.b })).profiles, []);
      const r = await ok('POST', '/api/identify', { token: TOKENS.b, body: form([audio[A][3]]) });
      assert.equal(r.speaker, 'unknown');
      assert.deepEqual(r.topN, []);
      await ok('POST', `/api/enroll?name=${C}`, { token: TOKENS.b, body: form([audio[C][0]]) });
      assert.deepEqual((await ok('GET', '/api/profiles', { token: TOKENS.b })).profiles, [C]);
      assert.deepEqual((await ok('GET', '/api/profiles')).profiles, [A, B]);
    });

    test('rename, delete and reset (by name, all=true, drop_all=true)', async () => {
      await ok('POST', `/api/enroll?name=Temp`, { body: form([audio[C][1]]) });
      const renamed = await ok('POST', '/api/speakers/Temp/rename?to=Tempo');
      assert.deepEqual([renamed.from, renamed.name], ['Temp', 'Tempo']);
      assert.deepEqual((await ok('GET', '/api/profiles')).profiles, [A, B, 'Tempo']);
      const clash = await call('POST', `/api/speakers/Tempo/rename?to=${A}`);
      assert.equal(clash.status, 409);
      assert.equal(clash.data.error, 'speaker_exists');
      assert.equal((await ok('DELETE', '/api/speakers/Tempo')).removed, true);
      const again = await call('DELETE', '/api/speakers/Tempo');
      assert.equal(again.status, 404);
      const list = await ok('GET', '/api/speakers');
      assert.deepEqual(list.speakers.map((s) => [s.name, s.samples]), [[A, 3], [B, 3]]);
      // Reset in tenant beta: by name, then everything (both spellings of Speaker-ID's clients).
      await ok('POST', `/api/enroll?name=Other`, { token: TOKENS.b, body: form([audio[A][0]]) });
      assert.equal((await ok('POST', `/api/reset?name=${C}`, { token: TOKENS.b })).removed, true);
      assert.deepEqual((await ok('GET', '/api/profiles', { token: TOKENS.b })).profiles, ['Other']);
      await ok('POST', '/api/reset?drop_all=true', { token: TOKENS.b });
      assert.deepEqual((await ok('GET', '/api/profiles', { token: TOKENS.b })).profiles, []);
      await ok('POST', `/api/enroll?name=Other`, { token: TOKENS.b, body: form([audio[A][0]]) });
      await ok('POST', '/api/reset?all=true', { token: TOKENS.b });
      assert.deepEqual((await ok('GET', '/api/profiles', { token: TOKENS.b })).profiles, []);
      const rebuilt = await ok('POST', '/api/rebuild_centroids');
      assert.equal(rebuilt.speakers_updated, 2);
      assert.deepEqual((await ok('GET', '/api/profiles')).profiles, [A, B]);
    });

    test('bad requests get the right 4xx with a JSON body, and change nothing', async () => {
      const expect = async (r, status, error) => {
        assert.equal(r.status, status, JSON.stringify(r.data));
        assert.equal(r.data.error, error, JSON.stringify(r.data));
        assert.equal(typeof r.data.detail, 'string');
        assert.doesNotMatch(r.data.detail, /\n\s+at /);  // no stack trace
      };
      await expect(await call('POST', `/api/enroll?name=${A}`, { body: form([new Uint8Array(MAX_BODY + 1000)]) }),
        413, 'body_too_large');
      await expect(await call('POST', `/api/enroll?name=${A}`, {
        body: '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\nRIFF',
        headers: { 'content-type': 'multipart/form-data; boundary=xyz' } }), 400, 'malformed_multipart');
      await expect(await call('POST', `/api/enroll?name=${A}`, { body: form([], { note: 'no file' }) }), 400, 'missing_file');
      await expect(await call('POST', '/api/enroll', { body: form([audio[C][0]]) }), 400, 'missing_parameter');
      await expect(await call('POST', `/api/enroll?name=${'x'.repeat(200)}`, { body: form([audio[C][0]]) }), 400, 'invalid_argument');
      await expect(await call('POST', `/api/enroll?name=${A}`, { body: form([new TextEncoder().encode('not audio at all')]) }),
        400, 'invalid_audio');
      await expect(await call('POST', '/api/identify?threshold=1.5', { body: form([audio[A][3]]) }), 400, 'invalid_parameter');
      const wrong = await call('GET', '/api/identify');
      await expect(wrong, 405, 'method_not_allowed');
      assert.equal(wrong.headers.get('allow'), 'POST');
      await expect(await call('GET', '/api/nothing-here'), 404, 'not_found');
      const list = await ok('GET', '/api/speakers');
      assert.deepEqual(list.speakers.map((s) => [s.name, s.samples]), [[A, 3], [B, 3]]);
    });

    test('50 concurrent enrolls of distinct names into one tenant lose nothing', async (t) => {
      const names = Array.from({ length: 50 }, (_, i) => `p${String(i).padStart(2, '0')}`);
      const results = await Promise.all(names.map((n, i) => call('POST', `/api/enroll?name=${n}`,
        { token: TOKENS.c, body: form([audio[[A, B, C][i % 3]][i % 3]]) })));
      for (const r of results) {
        const text = r.data instanceof Uint8Array ? new TextDecoder().decode(r.data) : JSON.stringify(r.data);
        assert.equal(r.status, 200, `${text}${tail()}`);
      }
      const listed = (await ok('GET', '/api/speakers', { token: TOKENS.c })).speakers;
      assert.deepEqual(listed.map((s) => s.name).sort(), names);
      assert.ok(listed.every((s) => s.samples === 1));
      if (proxyRetries) t.diagnostic(`${proxyRetries} request(s) retried after the dev proxy's 503 (Retry-After: 0)`);
    });

    test('profiles export from one tenant and import into another', async () => {
      const blob = await ok('GET', '/api/profiles/export');
      assert.ok(blob instanceof Uint8Array && blob.length > 1000);
      const r = await ok('POST', '/api/profiles/import?mode=replace', { token: TOKENS.b, body: blob,
        headers: { 'content-type': 'application/octet-stream' } });
      assert.deepEqual([r.speakers, r.samples], [2, 6]);
      assert.deepEqual((await ok('GET', '/api/profiles', { token: TOKENS.b })).profiles, [A, B]);
      const bad = await call('POST', '/api/profiles/import', { token: TOKENS.b, body: blob.slice(0, 100),
        headers: { 'content-type': 'application/octet-stream' } });
      assert.equal(bad.status, 400);
      assert.equal(bad.data.error, 'invalid_profile');
      assert.deepEqual((await ok('GET', '/api/profiles', { token: TOKENS.b })).profiles, [A, B]);
    });

    test('GET /metrics counts requests and matches (Prometheus text)', async () => {
      const r = await call('GET', '/metrics');
      assert.equal(r.status, 200);
      const text = new TextDecoder().decode(r.data);
      assert.match(r.headers.get('content-type'), /^text\/plain/);
      assert.match(text, /^speakerid_identify_match_total (\d+)$/m);
      assert.ok(Number(/^speakerid_identify_match_total (\d+)$/m.exec(text)[1]) >= 2);
      assert.match(text, new RegExp(`speakerid_identify_match_by_speaker_total\\{speaker="${A}"\\} \\d+`));
      assert.match(text, /speakerid_request_latency_seconds_bucket\{path="\/api\/identify",method="POST",le="\+Inf"\} \d+/);
    });

    test('the enrollments survive a restart on the same state', async () => {
      await rt.stop();
      rt = await start(env);
      assert.deepEqual((await ok('GET', '/api/profiles')).profiles, [A, B]);
      assert.equal((await ok('GET', '/api/speakers', { token: TOKENS.c })).speakers.length, 50);
      const r = await ok('POST', '/api/identify', { body: form([audio[B][3]]) });
      assert.equal(r.speaker, B);
    });
  });
}
