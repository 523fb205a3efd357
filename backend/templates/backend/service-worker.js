// Ripple's service worker: pages the phone has opened open again offline.
// Pages are network-first (fresh when there is a signal, the last copy when there is
// not); static files are cache-first (their names carry a content hash in production).
const STATIC_CACHE = "ripple-static-{{ version }}";
const PAGES_CACHE = "ripple-pages";
const SHELL = {{ shell|safe }};
const OFFLINE_URL = "{{ offline }}";
// On patchy Wi-Fi a request can hang for a long time; past this, show the kept copy.
const PAGE_TIMEOUT_MS = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(STATIC_CACHE).then((cache) => cache.addAll([...SHELL, OFFLINE_URL])),
  );
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith("ripple-static-") && name !== STATIC_CACHE)
            .map((name) => caches.delete(name)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

function keepable(response) {
  return response.ok && !response.redirected && response.type === "basic";
}

async function staticFirst(request) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (keepable(response)) {
    const cache = await caches.open(STATIC_CACHE);
    cache.put(request, response.clone());
  }
  return response;
}

async function networkFirst(request, fallbackUrl) {
  const cache = await caches.open(PAGES_CACHE);
  const network = fetch(request).then((response) => {
    if (keepable(response)) cache.put(request, response.clone());
    return response;
  });
  const cached = await cache.match(request);
  if (!cached) {
    try {
      return await network;
    } catch (error) {
      const fallback = fallbackUrl && (await caches.match(fallbackUrl));
      if (fallback) return fallback;
      throw error;
    }
  }
  const timeout = new Promise((resolve) => setTimeout(() => resolve(cached), PAGE_TIMEOUT_MS));
  return Promise.race([network.catch(() => cached), timeout]);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(staticFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(networkFirst(request, OFFLINE_URL));
  } else if (url.pathname.endsWith("/chart.svg")) {
    event.respondWith(networkFirst(request, null));
  }
});
