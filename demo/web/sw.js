// Offline after the first visit: the page, the prebuilt module and every file it loads (the core's .wasm, ONNX
// Runtime's, the manifest, the model) are kept in Cache Storage as they are fetched, and served from there when
// the network is not there (network first, so a new version is picked up when online). Responses keep their
// headers, so a cached page is still cross-origin isolated.
const CACHE = 'speaker-id-demo-v1';
const SHELL = ['/', '/index.html', '/app.mjs', '/styles.css', '/capture-worklet.js', '/speaker-id.js'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const res = await fetch(event.request);
      if (res.ok && res.status === 200) await cache.put(event.request, res.clone());
      return res;
    } catch (err) {
      const hit = await cache.match(event.request, { ignoreSearch: true });
      if (hit) return hit;
      throw err;
    }
  })());
});
