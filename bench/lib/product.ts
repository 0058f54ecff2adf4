// Starts the one-process product (`app/src/start.ts --no-sim`) on a temp data dir and a free port, as `npm start` runs
// it.
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH, ROOT, discardDir, freePort, spawnTs, type Child } from './proc.js';

export interface Demo {
  source_key: string;
  admin_token: string;
  tokens: { viewer: string; manager: string; manager_id: string; wall: string };
  launch: {
    campaigns: { id: string; currency: string }[];
    partners: { id: string; platforms?: string[]; followers: number }[];
    deals: {
      id: string;
      campaign_id: string;
      partner_id: string;
      links?: { code: string; destination: string }[];
      promo_codes?: string[];
    }[];
  };
}

export interface Product {
  child: Child;
  port: number;
  base: string;
  dataDir: string;
  demo: Demo;
  /** Stops it (SIGTERM: flushes the spool), removes the data dir unless `keepData`; returns the peak RSS in MB. */
  stop(keepData?: boolean): Promise<{ peakRssMb: number | null; exitCode: number | null }>;
}

export interface ProductOptions {
  env?: Record<string, string>;
  /** Write a V8 CPU profile of the product to bench/results/profiles/<name>/. */
  cpuProfile?: string;
}

/** The Node flags `npm start` gives the product (package.json's start script: `tsx <flags> app/src/start.ts`). */
export function startNodeFlags(): string[] {
  const script = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts.start;
  return script.split(/\s+/).filter((w) => w.startsWith('--'));
}

export async function startProduct(name: string, opts: ProductOptions = {}): Promise<Product> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), `pulseroom-bench-${name}-`));
  const nodeArgs: string[] = [...startNodeFlags()];
  if (opts.cpuProfile) {
    const dir = join(BENCH, 'results', 'profiles', opts.cpuProfile);
    mkdirSync(dir, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
  }
  const child = spawnTs(`product:${name}`, 'app/src/start.ts', {
    args: ['--no-sim'],
    nodeArgs,
    env: {
      PORT: String(port),
      PULSEROOM_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      // A benchmark's load generator is one key sending as fast as it can: the per-key limit would be the figure.
      INGEST_RATE_LIMIT_PER_MIN: '0',
      PULSEROOM_API_RATE_PER_MIN: '1000000',
      ...opts.env,
    },
  });
  try {
    await child.waitFor(/TV wall/, 180_000);
  } catch (e) {
    await child.stop();
    discardDir(dataDir);
    throw e;
  }
  const demo = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as Demo;
  return {
    child,
    port,
    base: `http://127.0.0.1:${port}`,
    dataDir,
    demo,
    async stop(keepData = false) {
      const peakRssMb = child.peakRssMb();
      const exitCode = await child.stop(30_000);
      if (!keepData) discardDir(dataDir);
      return { peakRssMb, exitCode };
    },
  };
}
