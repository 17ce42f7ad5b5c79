// The Speaker-ID HTTP API as one fetch-style handler (Request -> Response) that every runtime serves unchanged:
// `speaker-id serve` (Node), the Cloudflare Worker and its Durable Objects, Deno.
//
//   const api = createHandler({ speakerIdFor: (tenant) => SpeakerId.create({ store: ... }), tokens, ... });
//   api.fetch(request) -> Promise<Response>;  await api.close();
//
// Order of work for a request: CORS preflight; GET /health (the only open route); route and method (404 / 405);
// the bearer token's tenant (401); then either the tenant's own context runs the route (speakerIdFor: one SpeakerId
// per tenant, created on first use and kept) or the request is handed on (`forward`: the Cloudflare Worker passes it
// to the tenant's Durable Object, which runs a handler of its own with speakerIdFor). Every error is JSON
// (http-error.mjs). Options from the environment: optionsFromEnv().
import pkg from '../../../package.json' with { type: 'json' };
import { InvalidArgumentError } from '../errors.mjs';
import { parseTokens, tokenMatcher } from './auth.mjs';
import { HttpError, errorResponse, json } from './http-error.mjs';
import { Metrics } from './prometheus.mjs';
import { DEFAULT_MAX_BODY_BYTES } from './request-body.mjs';
import { DEFAULTS, matchRoutes, runRoute } from './routes.mjs';
import { speakerIdScale } from './score-scale.mjs';

const OPTIONS = ['speakerIdFor', 'forward', 'tokens', 'maxBodyBytes', 'cors', 'runtime', 'readAudioPath', 'log'];
export const TENANT_HEADER = 'x-speaker-id-tenant';

/** The handler options the environment gives (SPEAKER_ID_TOKENS, SPEAKER_ID_MAX_BODY_BYTES, SPEAKER_ID_CORS). */
export function optionsFromEnv(get) {
  const o = { tokens: get('SPEAKER_ID_TOKENS') ?? null };
  const max = get('SPEAKER_ID_MAX_BODY_BYTES');
  if (max !== undefined && max !== null && max !== '') {
    o.maxBodyBytes = Number(max);
    if (!(Number.isInteger(o.maxBodyBytes) && o.maxBodyBytes > 0)) {
      throw new InvalidArgumentError(`SPEAKER_ID_MAX_BODY_BYTES must be a positive whole number of bytes, got '${max}'`);
    }
  }
  const cors = get('SPEAKER_ID_CORS');
  if (cors) o.cors = cors;
  return o;
}

function corsPolicy(spec) {
  if (spec === undefined || spec === null || spec === '') return null;
  if (typeof spec !== 'string') throw new InvalidArgumentError("cors must be '*' or a comma-separated list of origins");
  const origins = spec.split(',').map((s) => s.trim()).filter(Boolean);
  for (const o of origins) {
    if (o !== '*' && !/^https?:\/\/[^/\s]+$/.test(o)) {
      throw new InvalidArgumentError(`cors: '${o}' is not an origin (scheme://host[:port], no path) or '*'`);
    }
  }
  return (origin) => {
    if (origins.includes('*')) return '*';
    return origin && origins.includes(origin) ? origin : null;
  };
}

// A body nobody read (a 401, 404, 413 by Content-Length, ...) is read to its end and dropped before the answer, up to
// DISCARD_MAX bytes: a client still uploading then gets the answer, not a reset connection (and a runtime's proxy,
// e.g. wrangler's, is not left with a half-read request). Past DISCARD_MAX the stream is cancelled.
const DISCARD_MAX = 64 * 2 ** 20;
async function discardBody(request) {
  if (!request.body || request.bodyUsed) return;
  try {
    const reader = request.body.getReader();
    let n = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      n += value.byteLength;
      if (n > DISCARD_MAX) {
        await reader.cancel();
        return;
      }
    }
  } catch {
    // the client went away: nothing to answer
  }
}

// Requests with a body that one tenant works on at once (read, decoded, embedded); the others wait their turn.
const UPLOADS_IN_FLIGHT = 4;
function limiter(slots) {
  const waiting = [];
  let free = slots;
  return async (fn) => {
    if (free > 0) free -= 1;
    else await new Promise((go) => waiting.push(go));
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else free += 1;
    }
  };
}

export function createHandler(options = {}) {
  const unknown = Object.keys(options).filter((k) => !OPTIONS.includes(k));
  if (unknown.length) throw new InvalidArgumentError(`unknown handler option(s) ${unknown.join(', ')}; accepted: ${OPTIONS.join(', ')}`);
  const { speakerIdFor, forward, maxBodyBytes = DEFAULT_MAX_BODY_BYTES, runtime = 'unknown', readAudioPath,
    log = console.error } = options;
  if ((typeof speakerIdFor === 'function') === (typeof forward === 'function')) {
    throw new InvalidArgumentError('createHandler needs exactly one of speakerIdFor(tenant) (run routes here) or ' +
      'forward(tenant, request) (hand them on)');
  }
  if (!(Number.isInteger(maxBodyBytes) && maxBodyBytes > 0)) {
    throw new InvalidArgumentError(`maxBodyBytes must be a positive integer (bytes), got ${maxBodyBytes}`);
  }
  const tokens = parseTokens(options.tokens);
  const tenantOf = tokenMatcher(tokens);
  const allowOrigin = corsPolicy(options.cors);
  const contexts = new Map();  // tenant -> Promise<context>
  let closed = false;

  function context(tenant) {
    let p = contexts.get(tenant);
    if (!p) {
      p = (async () => {
        const sid = await speakerIdFor(tenant);
        return { sid, scale: speakerIdScale(sid.model), config: { ...DEFAULTS }, metrics: new Metrics(), maxBodyBytes,
          readAudioPath, runtime, version: pkg.version, uploads: limiter(UPLOADS_IN_FLIGHT) };
      })();
      contexts.set(tenant, p);
      p.catch(() => contexts.delete(tenant));  // a failed creation is retried by the next request
    }
    return p;
  }

  function withCors(response, request) {
    const origin = allowOrigin?.(request.headers.get('origin'));
    if (!origin) return response;
    const headers = new Headers(response.headers);
    headers.set('access-control-allow-origin', origin);
    headers.append('vary', 'Origin');
    headers.set('access-control-expose-headers', 'content-disposition');
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  }

  async function handle(request) {
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    if (method === 'OPTIONS' && allowOrigin) {
      return new Response(null, { status: 204, headers: {
        'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
        'access-control-allow-headers': 'authorization, content-type', 'access-control-max-age': '600' } });
    }
    if (url.pathname === '/health') {
      if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'method_not_allowed', `${method} /health: use GET`, { allow: 'GET' });
      return json(200, { status: 'ok' });
    }
    const matches = matchRoutes(url.pathname);
    if (matches.length === 0) throw new HttpError(404, 'not_found', `no route ${url.pathname}; see GET /api/config and the API docs`);
    const hit = matches.find((m) => m.route.method === method);
    if (!hit) {
      const allow = [...new Set(matches.map((m) => m.route.method))].join(', ');
      throw new HttpError(405, 'method_not_allowed', `${method} ${url.pathname} is not a route; allowed: ${allow}`, { allow });
    }
    const tenant = await tenantOf(request);
    if (tenant === null) {
      throw new HttpError(401, 'unauthorized', 'missing or invalid bearer token (Authorization: Bearer <token>)',
        { 'www-authenticate': 'Bearer realm="speaker-id"' });
    }
    if (forward) {
      const declared = Number(request.headers.get('content-length'));
      if (Number.isFinite(declared) && declared > maxBodyBytes) {
        throw new HttpError(413, 'body_too_large', `request body larger than ${maxBodyBytes} bytes, the limit of this server`);
      }
      const headers = new Headers(request.headers);
      headers.set(TENANT_HEADER, tenant);
      return forward(tenant, new Request(request, { headers }));
    }
    const ctx = await context(tenant);
    const t0 = performance.now();
    let response;
    try {
      // A tenant's SpeakerId runs one call at a time anyway: bodies of the requests waiting for it stay unread (in
      // the connection, not in memory) beyond a few, so a burst of uploads cannot exhaust an isolate's memory.
      response = hit.route.body ? await ctx.uploads(() => runRoute(hit.route, hit.params, request, url, ctx))
        : await runRoute(hit.route, hit.params, request, url, ctx);
    } catch (err) {
      response = errorResponse(err, log);
    }
    ctx.metrics.request(hit.route.path, method, response.status, (performance.now() - t0) / 1000);
    return response;
  }

  return {
    tokens: tokens.map(({ tenant, short }) => ({ tenant, short })),  // for the server's start-up notes, no secrets
    async fetch(request) {
      let response;
      if (closed) {
        response = json(503, { detail: 'the server is shutting down', error: 'unavailable' });
      } else {
        try {
          response = await handle(request);
        } catch (err) {
          response = errorResponse(err, log);
        }
      }
      await discardBody(request);
      return withCors(response, request);
    },
    async close() {
      closed = true;
      const all = [...contexts.values()];
      contexts.clear();
      for (const p of all) {
        const ctx = await p.catch(() => null);
        await ctx?.sid.dispose();
      }
    },
  };
}
