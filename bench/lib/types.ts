// What each benchmark hands the runner: figures against a same-run baseline, targets, and peak memory per process.

export interface Figure {
  /** What is measured, e.g. "events/s acknowledged". */
  metric: string;
  value: number | null;
  unit: string;
  /** The same-run baseline and what it is. */
  baseline?: { label: string; value: number | null };
  /** value ÷ baseline (or the figure's own ratio, such as 10 M ÷ 1 M). */
  ratio?: number | null;
  /** The target, as text, and whether this run met it (null: no target on this figure). */
  target?: string;
  met?: boolean | null;
}

export interface BenchResult {
  name: string;
  seconds: number;
  figures: Figure[];
  /** Peak RSS (MB) of each process under load. */
  memory: Record<string, number | null>;
  notes: string[];
  raw: Record<string, unknown>;
}

export interface BenchContext {
  /** Write a CPU profile of the process under test. */
  cpuProfile: boolean;
  log(msg: string): void;
}

/** Metric helpers for the reading of a /metrics text. */
export function metricValue(text: string, name: string): number | null {
  let sum: number | null = null;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const v = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(v)) sum = (sum ?? 0) + v;
  }
  return sum;
}
