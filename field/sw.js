// The field app's service worker: keeps the app itself (its page, styles, scripts) so that it opens
// without a network. Answers from the cache at once and refreshes the cache behind (so a new
// version arrives on the next opening). The API is never cached here: the day's route lives in the
// page's own storage, dropped at sign-out.
const CACHE = 'carelink-field-v1';
const SHELL = [
  '/field/',
  '/field/app.css',
  '/field/manifest.webmanifest',
  '/field/icon.svg',
  '/field/js/family.js',
  '/field/js/main.js',
  '/field/js/net.js',
  '/field/js/queue.js',
  '/field/js/store.js',
  '/field/js/strings.js',
  '/field/js/visit.js',
  '/console/js/dom.js',
];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  const path = url.pathname === '/field/index.html' ? '/field/' : url.pathname;
  if (!SHELL.includes(path)) return; // the API and everything else: straight to the network
  event.respondWith(caches.open(CACHE).then(async (cache) => {
    const cached = await cache.match(path);
    const fresh = fetch(event.request).then((res) => {
      if (res.ok) cache.put(path, res.clone());
      return res;
    });
    if (cached) {
      event.waitUntil(fresh.catch(() => {}));
      return cached;
    }
    return fresh;
  }));
});
