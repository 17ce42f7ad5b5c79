// Headless Chromium for the JS tests, as in runtimes.test.mjs: a tiny static server over the repository root and
// the system Chromium driven by playwright-core (no browser download).
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { ROOT } from './helpers.mjs';

const MIME = { '.mjs': 'text/javascript', '.js': 'text/javascript', '.html': 'text/html', '.wasm': 'application/wasm',
  '.json': 'application/json' };
export const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

/** Serves the repository root on 127.0.0.1; resolves to { origin, close() }. */
export async function startServer() {
  const server = createServer((req, res) => {
    const path = normalize(join(ROOT, decodeURIComponent(new URL(req.url, 'http://x').pathname)));
    if (!path.startsWith(ROOT)) { res.writeHead(403).end(); return; }
    try {
      const body = readFileSync(path);
      res.writeHead(200, { 'Content-Type': MIME[extname(path)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

/** A browser with a fresh temporary profile (each newContext() is its own, in-memory storage partition). */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/** A browser context whose profile (and so its IndexedDB files) lives in `dir` and survives a relaunch. */
export async function launchPersistentChromium(dir) {
  const { chromium } = await import('playwright-core');
  return chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, args: ARGS });
}
