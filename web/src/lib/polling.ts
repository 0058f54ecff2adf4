// One background poll: loads at once, then every `everyMs`; the cleanup stops it and drops an answer on its way.
export function pollEvery(everyMs: number, load: (stopped: () => boolean) => Promise<void>): () => void {
  let stop = false;
  const run = () => void load(() => stop).catch(() => undefined);
  run();
  const h = setInterval(run, everyMs);
  return () => {
    stop = true;
    clearInterval(h);
  };
}
