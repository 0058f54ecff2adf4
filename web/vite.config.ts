// Vite build of the Pulseroom dashboard: Svelte 5, output in web/dist, dev proxy to the server on :8080.
import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';

const target = 'http://localhost:8080';

/**
 * The app's stylesheet does not block the first paint: the HTML's inline shell paints at once and the stylesheet is
 * switched on by main.ts (an inline onload handler would break the content security policy). On a phone's slow link
 * a render-blocking stylesheet is one more round trip before anything shows.
 */
const nonBlockingCss = (): Plugin => ({
  name: 'pulseroom-non-blocking-css',
  apply: 'build',
  transformIndexHtml: (html) =>
    html.replace(
      /<link rel="stylesheet"( crossorigin)? href="([^"]+\.css)">/g,
      '<link rel="stylesheet"$1 href="$2" media="print" data-app-css>',
    ),
});

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [svelte(), nonBlockingCss()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 600,
  },
  server: {
    port: 5173,
    proxy: {
      '/api': target,
      '/socket.io': { target, ws: true },
    },
  },
});
