// Test support: Debian's redis-server on a free loopback port, in memory only, stopped by the test.
import { spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { freePort } from '@pulseroom/schema/testing';

export const hasRedis = spawnSync('redis-server', ['--version']).status === 0;

export interface TestRedis {
  url: string;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const until = Date.now() + 5_000;
  const accepts = () =>
    new Promise<boolean>((ok) => {
      const c = connect(port, '127.0.0.1');
      c.once('connect', () => {
        c.destroy();
        ok(true);
      });
      c.once('error', () => ok(false));
    });
  while (!(await accepts())) {
    if (Date.now() > until) throw new Error('redis-server did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((res) => child.once('exit', res));
      child.kill();
      await exited;
    },
  };
}
