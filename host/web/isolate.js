// A service worker that makes the page cross-origin isolated on a server that does not send
// the headers for it (python3 -m http.server): it fetches every request of the page's own
// origin and answers with the same response plus Cross-Origin-Opener-Policy: same-origin and
// Cross-Origin-Embedder-Policy: require-corp. Isolation lets the page share memory
// (SharedArrayBuffer) with the worker that runs the game, which is how the buttons reach it
// (main.js). Service workers run only on https:// or on localhost / 127.0.0.1.

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (new URL(request.url).origin !== self.location.origin) return;
  // Only-if-cached requests of another mode fail by design; leave them to the browser.
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
  event.respondWith(
    fetch(request).then((response) => {
      if (response.status === 0) return response;
      const headers = new Headers(response.headers);
      headers.set('Cross-Origin-Opener-Policy', 'same-origin');
      headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
      return new Response(response.body, {
        status: response.status,
        statusText: response.statusText,
        headers,
      });
    }),
  );
});
