// Entry point: mounts the single-page app.
import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';

const app = document.getElementById('app')!;
mount(App, { target: app });

// The built HTML paints its own shell and loads the stylesheet as print-only, so it does not block the first paint
// (vite.config.ts). Switch the stylesheet on; once it is in (or failed), the app replaces the shell.
const sheets = [...document.querySelectorAll<HTMLLinkElement>('link[data-app-css]')];
for (const link of sheets) link.media = 'all';
const loaded = (link: HTMLLinkElement) =>
  link.sheet
    ? Promise.resolve()
    : new Promise<void>((done) =>
        ['load', 'error'].forEach((ev) => link.addEventListener(ev, () => done(), { once: true })),
      );
void Promise.all(sheets.map(loaded)).then(() => {
  app.hidden = false;
  document.getElementById('shell')?.remove();
});
