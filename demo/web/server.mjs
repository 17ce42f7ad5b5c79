// `npm run demo`: serves the browser demo (demo/web/) and the prebuilt browser module with its files (web/dist/:
// /speaker-id.js exporting SpeakerId, the core's .wasm, ONNX Runtime's, the manifest and the default model) on
// HOST:PORT (default 127.0.0.1:8080; --host H --port P or the HOST / PORT environment variables). Cross-origin
// isolated (COOP same-origin + COEP require-corp), so ONNX Runtime can use threads. A file with a precompressed
// sibling (web/dist/X.gz, made by .ci/setup) is sent as that gzip to clients that accept it, as nginx's gzip_static
// would. Nothing is uploaded anywhere: the server only hands out static files.
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream', '.map': 'application/json', '.svg': 'image/svg+xml',
  '.webmanifest': 'application/manifest+json', '.png': 'image/png',
};
const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
};

// A request path -> the file it names under the demo folder, else under web/dist; null when there is none.
function fileFor(pathname) {
  const rel = normalize(decodeURIComponent(pathname === '/' ? '/index.html' : pathname)).replace(/^([/\\])+/, '');
  if (rel.split(sep).includes('..') || rel === 'server.mjs') return null;
  for (const root of [HERE, DIST]) {
    const path = join(root, rel);
    if (path.startsWith(root) && existsSync(path) && statSync(path).isFile()) return path;
  }
  return null;
}

/** Starts the server -> { server, origin, close() }. */
export function startDemoServer({ host = '127.0.0.1', port = 8080 } = {}) {
  if (!existsSync(join(DIST, 'speaker-id.js'))) {
    throw new Error(`${join(DIST, 'speaker-id.js')} is missing: run \`npm run build\` (or .ci/setup) first`);
  }
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (url.pathname === '/models.json' && req.method === 'GET') {
      // The extra models present: demo/web/models/<id>.onnx (the page offers those beside the embedded default).
      const dir = join(HERE, 'models');
      const ids = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.onnx')).map((f) => f.slice(0, -5)) : [];
      res.writeHead(200, { ...ISOLATION, 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' });
      res.end(JSON.stringify(ids));
      return;
    }
    const path = req.method === 'GET' || req.method === 'HEAD' ? fileFor(url.pathname) : null;
    if (!path) {
      res.writeHead(req.method === 'GET' || req.method === 'HEAD' ? 404 : 405, { ...ISOLATION, 'Content-Type': 'text/plain' });
      res.end('not found\n');
      return;
    }
    const gz = `${path}.gz`;
    const gzip = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '') && existsSync(gz) &&
      statSync(gz).mtimeMs >= statSync(path).mtimeMs;  // a stale .gz (the file was rebuilt since) is not sent
    const body = gzip ? gz : path;
    const st = statSync(body);
    // no-cache + ETag: every load revalidates (a rebuilt file is picked up), an unchanged one costs a 304.
    const etag = `"${st.size.toString(36)}-${Math.floor(st.mtimeMs).toString(36)}${gzip ? '-gz' : ''}"`;
    const headers = { ...ISOLATION, 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream',
      'Cache-Control': 'no-cache', ETag: etag, Vary: 'Accept-Encoding', ...(gzip ? { 'Content-Encoding': 'gzip' } : {}) };
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);  // (readable back with getHeader, unlike writeHead's)
    if (req.headers['if-none-match']?.split(/\s*,\s*/).includes(etag)) {
      res.writeHead(304);
      res.end();
      return;
    }
    res.setHeader('Content-Length', st.size);
    res.writeHead(200);
    if (req.method === 'HEAD') res.end();
    else createReadStream(body).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: p } = server.address();
      resolve({ server, origin: `http://${host.includes(':') ? `[${host}]` : host}:${p}`,
        close: () => new Promise((r) => server.close(r)) });
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === normalize(process.argv[1])) {
  const { values } = parseArgs({ options: { host: { type: 'string' }, port: { type: 'string' } } });
  const host = values.host ?? process.env.HOST ?? '127.0.0.1';
  const port = Number(values.port ?? process.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`demo: port must be an integer in 0..65535, got ${values.port ?? process.env.PORT}`);
    process.exit(2);
  }
  const { origin } = await startDemoServer({ host, port });
  console.log(`speaker-id demo on ${origin}/ (cross-origin isolated; nothing leaves the page)`);
}
