// Speaker-ID's routes (the Python service's names, fields and shapes) plus this library's additions, on one
// tenant's context { sid, scale, config, metrics, readAudioPath }. `threshold` and `confidence` are on Speaker-ID's
// scale (score-scale.mjs); `score_raw` / `threshold_raw` are the raw cosine.
// Differences from the Python service, on purpose: one enrolled speaker is not a free match (it accepted a lone
// candidate below the threshold); `confidence` of an unknown result is the best candidate's (its docs say so, its
// code returned 0.0); bad input is a 4xx with `detail` saying what is accepted.
import { HttpError, json } from './http-error.mjs';
import { parseUpload, readBody } from './request-body.mjs';

const DEFAULT_TOPK = 5;
const TRUE = new Set(['true', '1', 'yes', 'on']);

// A parameter from the query string, else from the form body (Home Assistant sends them in its payload).
const param = (req, name) => req.url.searchParams.get(name) ?? req.upload?.fields.get(name) ?? null;

function required(req, name, what) {
  const v = param(req, name);
  if (v === null || v.trim() === '') throw new HttpError(400, 'missing_parameter', `missing required parameter: ${name} (${what})`);
  return v.trim();
}

function threshold(req, ctx) {
  const v = param(req, 'threshold');
  if (v === null || v === '') return ctx.config.threshold;
  const t = Number(v);
  if (!(Number.isFinite(t) && t >= 0 && t <= 1)) {
    throw new HttpError(400, 'invalid_parameter', `threshold must be a number in [0, 1] on Speaker-ID's scale (0.82 is ` +
      `this model's calibrated decision; higher is stricter), got '${v}'`);
  }
  return t;
}

function topk(req, ctx) {
  const v = param(req, 'topk');
  if (v === null || v === '') return ctx.config.topk;
  const k = Number(v);
  if (!(Number.isInteger(k) && k >= 1 && k <= 100)) throw new HttpError(400, 'invalid_parameter', `topk must be an integer in 1..100, got '${v}'`);
  return k;
}

// The request's audio: uploaded files, or (Home Assistant) paths the server may read.
async function recordings(req, ctx) {
  const { files, paths } = req.upload;
  if (paths.length) {
    if (!ctx.readAudioPath) {
      throw new HttpError(400, 'file_path_not_allowed', `'file' is a path ('${paths[0]}'), and this server reads no files ` +
        "named by clients: upload the audio as a multipart 'file' part (curl -F file=@voice.wav), or start " +
        '`speaker-id serve --audio-dir DIR` to let it read recordings under DIR');
    }
    for (const p of paths) files.push(await ctx.readAudioPath(p));
  }
  if (files.length === 0 || files.every((f) => f.length === 0)) {
    throw new HttpError(400, 'missing_file', "no audio in the request: send it as a multipart/form-data 'file' part " +
      '(curl -F file=@voice.wav), or as the body with Content-Type audio/wav');
  }
  return files;
}

const scored = (ctx, c, d) => ({ name: c.name, score: ctx.scale.toApi(c.score, d), score_raw: c.score });

// An API threshold -> what the library decides with: the raw cosine, or for a duration-aware calibration the
// confidence (its raw cosine depends on the probe's duration; the result's `threshold` is the one used).
// The scale's ends (0 and 1) stay the raw cosine's ends.
function libraryThreshold(ctx, t) {
  const c = ctx.scale.durationAware ? ctx.scale.toConfidence(t) : NaN;
  return c > 0 && c < 1 ? { confidence: c } : ctx.scale.toRaw(t);
}

const speakerInfo = (s) => ({ name: s.name, samples: s.samples, speech_sec: s.speechSec,
  enrollment_percent: s.enrollmentPercent, first_created_at: s.firstCreatedAt, last_created_at: s.lastCreatedAt });

async function enroll(req, ctx) {
  const name = required(req, 'name', 'the speaker to enroll');
  const files = await recordings(req, ctx);
  const r = await ctx.sid.enroll(name, files.length === 1 ? files[0] : files);
  return json(200, { ok: true, status: 'enrolled', name: r.speaker, samples: r.samples, added: r.added,
    message: `Successfully enrolled ${r.added} sample(s) for ${r.speaker}`, speech_sec: r.speechSec,
    enrollment_percent: r.enrollmentPercent, quality: r.quality });
}

async function identify(req, ctx) {
  const t = threshold(req, ctx);
  const k = topk(req, ctx);
  const [file, ...more] = await recordings(req, ctx);
  if (more.length) throw new HttpError(400, 'too_many_files', 'identify takes one recording per request');
  const r = await ctx.sid.identify(file, { topK: k, threshold: libraryThreshold(ctx, t) });
  ctx.metrics.identified(r.speaker);
  const best = r.candidates[0];
  const d = r.quality.durationSec;
  return json(200, { speaker: r.speaker ?? 'unknown', confidence: best ? ctx.scale.toApi(best.score, d) : 0,
    topN: r.candidates.map((c) => scored(ctx, c, d)), score_raw: best ? best.score : null, threshold: t,
    threshold_raw: r.threshold, quality: r.quality });
}

async function verify(req, ctx) {
  const name = required(req, 'name', 'the enrolled speaker to verify against');
  const t = threshold(req, ctx);
  const [file, ...more] = await recordings(req, ctx);
  if (more.length) throw new HttpError(400, 'too_many_files', 'verify takes one recording per request');
  const r = await ctx.sid.verify(name, file, { threshold: libraryThreshold(ctx, t) });
  return json(200, { name: r.speaker, accepted: r.accepted, confidence: ctx.scale.toApi(r.score, r.quality.durationSec),
    score_raw: r.score, threshold: t, threshold_raw: r.threshold, quality: r.quality });
}

async function profiles(req, ctx) {
  return json(200, { profiles: (await ctx.sid.speakers()).map((s) => s.name) });
}

async function speakers(req, ctx) {
  return json(200, { speakers: (await ctx.sid.speakers()).map(speakerInfo) });
}

async function removeSpeaker(req, ctx) {
  const name = req.params.name;
  if (!(await ctx.sid.remove(name))) throw new HttpError(404, 'unknown_speaker', `unknown speaker '${name}'`);
  return json(200, { ok: true, name, removed: true });
}

async function renameSpeaker(req, ctx) {
  const from = req.params.name;
  const to = required(req, 'to', 'the new name');
  await ctx.sid.rename(from, to);
  return json(200, { ok: true, from, name: to });
}

async function reset(req, ctx) {
  const all = TRUE.has(String(param(req, 'all') ?? param(req, 'drop_all') ?? '').toLowerCase());
  const name = param(req, 'name');
  if (all) {
    await ctx.sid.reset();
    return json(200, { ok: true, status: 'reset', message: 'all speakers removed' });
  }
  if (name === null || name.trim() === '') {
    throw new HttpError(400, 'missing_parameter', 'reset needs name=NAME (one speaker) or all=true / drop_all=true (every speaker)');
  }
  const removed = await ctx.sid.remove(name.trim());
  return json(200, { ok: true, status: 'reset', name: name.trim(), removed,
    message: removed ? `removed ${name.trim()}` : `no speaker '${name.trim()}' was enrolled` });
}

async function rebuildCentroids(req, ctx) {
  const n = (await ctx.sid.speakers()).length;
  return json(200, { ok: true, status: 'rebuilt', updated: n, speakers_updated: n,
    message: `centroids are kept current on every change; ${n} speaker(s)` });
}

function configBody(ctx) {
  const m = ctx.sid.model;
  return { model: m.id, model_family: m.family, use_ecapa: m.family === 'ecapa', embedding_dim: m.dim, sample_rate: 16000,
    default_threshold: 0.82, threshold: ctx.config.threshold, threshold_raw: ctx.scale.toRaw(ctx.config.threshold),
    topk: ctx.config.topk, score_scale: ctx.scale.spec, version: ctx.version, runtime: ctx.runtime, backend: ctx.sid.backend,
    threads: ctx.sid.threads };
}

async function getConfig(req, ctx) {
  return json(200, configBody(ctx));
}

// As the Python service: changes this process's (Durable Object's) setting until it restarts; not persisted.
async function setConfig(req, ctx) {
  const t = param(req, 'threshold');
  const k = param(req, 'topk');
  if (t === null && k === null) throw new HttpError(400, 'missing_parameter', 'config takes threshold=T (0..1) and/or topk=K');
  if (t !== null) {
    const v = Number(t);
    if (!Number.isFinite(v)) throw new HttpError(400, 'invalid_parameter', `threshold must be a number in [0, 1], got '${t}'`);
    ctx.config.threshold = Math.min(1, Math.max(0, v));  // clamped, as the Python service does
  }
  if (k !== null) ctx.config.topk = topk(req, ctx);
  return json(200, { ok: true, ...configBody(ctx) });
}

async function exportProfiles(req, ctx) {
  const blob = await ctx.sid.exportProfiles();
  return new Response(blob, { status: 200, headers: { 'content-type': 'application/octet-stream',
    'content-disposition': 'attachment; filename="speaker-id-profiles.bin"', 'cache-control': 'no-store' } });
}

async function importProfiles(req, ctx) {
  const mode = param(req, 'mode') ?? 'replace';
  const { files } = req.upload;
  if (files.length !== 1) {
    throw new HttpError(400, 'missing_file', 'send one profile blob (from GET /api/profiles/export) as the body ' +
      "(application/octet-stream) or as a multipart 'file' part");
  }
  const r = await ctx.sid.importProfiles(files[0], { mode });
  return json(200, { ok: true, mode, speakers: r.speakers, samples: r.samples });
}

async function metrics(req, ctx) {
  return new Response(ctx.metrics.render(), { status: 200,
    headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' } });
}

const health = async () => json(200, { status: 'ok' });

// GET /docs and /redoc: where the Python service had its Swagger UI / ReDoc (its web UI links there), a page that
// lists the routes; the reference is docs/http-api.md.
const escapeHtml = (t) => t.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
async function docsPage(req, ctx) {
  const rows = ROUTES.map((r) => `<tr><td>${r.method}</td><td><code>${escapeHtml(r.path)}</code></td></tr>`).join('');
  const html = `<!doctype html><html lang="en"><meta charset="utf-8"><title>speaker-id HTTP API</title>
<h1>speaker-id HTTP API ${escapeHtml(String(ctx.version))}</h1>
<p>Speaker-ID's routes and fields; <code>threshold</code> and <code>confidence</code> on its [0, 1] scale (0.82 = this
model's calibrated decision, <code>${escapeHtml(ctx.sid.model.id)}</code>). Reference: docs/http-api.md in the package.</p>
<table><tr><th>method</th><th>route</th></tr><tr><td>GET</td><td><code>/health</code></td></tr>${rows}</table></html>`;
  return new Response(html, { status: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
}

// [method, path template, run, has a body]. Templates: literal segments and one {name} segment.
export const ROUTES = [
  ['GET', '/api/health', health],
  ['POST', '/api/enroll', enroll, true],
  ['POST', '/api/identify', identify, true],
  ['POST', '/api/verify', verify, true],
  ['GET', '/api/profiles', profiles],
  ['GET', '/api/profiles/export', exportProfiles],
  ['POST', '/api/profiles/import', importProfiles, true],
  ['GET', '/api/speakers', speakers],
  ['DELETE', '/api/speakers/{name}', removeSpeaker],
  ['POST', '/api/speakers/{name}/rename', renameSpeaker, true],
  ['POST', '/api/reset', reset, true],
  ['POST', '/api/rebuild_centroids', rebuildCentroids],
  ['GET', '/api/config', getConfig],
  ['POST', '/api/config', setConfig, true],
  ['GET', '/metrics', metrics],
  ['GET', '/docs', docsPage],
  ['GET', '/redoc', docsPage],
].map(([method, path, run, body = false]) => ({ method, path, run, body, parts: path.split('/') }));

/** pathname -> { matches: [{ route, params }] } (every method), so a wrong method gets 405 rather than 404. */
export function matchRoutes(pathname) {
  const parts = pathname.replace(/\/+$/, '').split('/');
  const matches = [];
  for (const route of ROUTES) {
    if (route.parts.length !== parts.length) continue;
    const params = {};
    let ok = true;
    for (let i = 0; i < parts.length && ok; i++) {
      const want = route.parts[i];
      if (want.startsWith('{')) {
        let v;
        try {
          v = decodeURIComponent(parts[i]);
        } catch {
          ok = false;
          break;
        }
        params[want.slice(1, -1)] = v;
        ok = v !== '';
      } else {
        ok = want === parts[i];
      }
    }
    if (ok) matches.push({ route, params });
  }
  return matches;
}

/** Runs `route` on a tenant context: reads and parses the body when the route takes one. */
export async function runRoute(route, params, request, url, ctx) {
  const req = { url, params, upload: null };
  if (route.body) req.upload = await parseUpload(await readBody(request, ctx.maxBodyBytes), request.headers.get('content-type'));
  return route.run(req, ctx);
}

export const DEFAULTS = Object.freeze({ threshold: 0.82, topk: DEFAULT_TOPK });
