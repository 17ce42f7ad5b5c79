// Node's http server in front of a fetch-style handler: IncomingMessage -> Request, Response -> ServerResponse,
// and the static files of a web UI folder (Speaker-ID's own `app/static`: index.html at /, the rest under /static/).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon',
  '.json': 'application/json', '.woff2': 'font/woff2', '.wasm': 'application/wasm' };

// A body the handler stopped reading (a 413 while reading) is read to its end and dropped, up to DRAIN_MAX bytes:
// a client still sending gets the answer instead of a reset connection; past that the socket is closed. (Bodies it
// never started on, the handler reads and drops itself: handler.mjs discardBody.)
const DRAIN_MAX = 64 * 2 ** 20;
function drain(req) {
  if (req.readableEnded || req.destroyed) return;
  let n = 0;
  req.removeAllListeners('data');
  req.on('data', (d) => { n += d.length; if (n > DRAIN_MAX) req.destroy(); });
  req.resume();
}

// The body as a web stream whose cancel() drains rather than destroys (see drain()).
function bodyStream(req) {
  return new ReadableStream({
    start(controller) {
      req.on('data', (d) => {
        controller.enqueue(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
        if (controller.desiredSize <= 0) req.pause();
      });
      req.once('end', () => controller.close());
      req.once('error', (err) => controller.error(err));
      req.pause();
    },
    pull() { req.resume(); },
    cancel() { drain(req); },
  }, { highWaterMark: 4 });
}

function toRequest(req, origin) {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
  }
  const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : bodyStream(req);
  return new Request(new URL(req.url, origin), { method: req.method, headers, body, duplex: 'half' });
}

async function send(res, response, method) {
  const headers = {};
  response.headers.forEach((v, k) => { headers[k] = k in headers ? `${headers[k]}, ${v}` : v; });
  res.writeHead(response.status, headers);
  if (method === 'HEAD' || !response.body) {
    res.end();
    return;
  }
  for await (const chunk of response.body) res.write(chunk);
  res.end();
}

// The UI folder's file for `pathname`, or null when it is not one of its paths (then the API answers).
async function staticFile(dir, pathname) {
  let rel;
  if (pathname === '/' || pathname === '/index.html') rel = 'index.html';
  else if (pathname.startsWith('/static/')) rel = decodeURIComponent(pathname.slice('/static/'.length));
  else return null;
  const root = resolve(dir);
  const file = resolve(join(root, rel));
  if (!file.startsWith(root + sep)) return null;
  const s = await stat(file).catch(() => null);
  return s?.isFile() ? { file, size: s.size } : null;
}

/** Starts serving `handler` ({ fetch }) on host:port; -> { server, url, close() }. Options: staticDir. */
export async function serveHttp(handler, { host, port, staticDir }) {
  const server = createServer(async (req, res) => {
    const origin = `http://${req.headers.host ?? `${host}:${port}`}`;
    try {
      const path = new URL(req.url, 'http://x').pathname;
      const hit = staticDir && (req.method === 'GET' || req.method === 'HEAD') ? await staticFile(staticDir, path) : null;
      if (hit) {
        res.writeHead(200, { 'content-type': TYPES[extname(hit.file).toLowerCase()] ?? 'application/octet-stream',
          'content-length': hit.size, 'cache-control': 'no-cache' });
        if (req.method === 'HEAD') res.end();
        else createReadStream(hit.file).pipe(res);
        return;
      }
      const response = await handler.fetch(toRequest(req, origin));
      await send(res, response, req.method);
    } catch (err) {
      process.stderr.write(`speaker-id serve: ${err?.stack ?? err}\n`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ detail: 'internal error (logged by the server)', error: 'internal' }));
    }
  });
  server.requestTimeout = 120000;
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, ok);
  });
  const { port: bound } = server.address();
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    server,
    url: `http://${shown}:${bound}`,
    close: () => new Promise((ok) => { server.close(() => ok()); server.closeAllConnections?.(); }),
  };
}
