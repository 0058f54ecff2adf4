// Baseline of the tracking-link benchmark: a bare node:http server answering every request with a 302 to a URL as long
// as the product's (destination + UTM + click id), with the same headers; its click ids are drawn from a pool of random
// bytes as the product's are (ingest/src/trackingLinks.ts), so both make the same syscalls per answer.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string' }, location: { type: 'string' } } });
const [before, after] = values.location!.split('CLICKID');
let pool = Buffer.alloc(0);
let poolAt = 0;
function clickId(): string {
  if (poolAt + 12 > pool.length) {
    pool = randomBytes(4096);
    poolAt = 0;
  }
  poolAt += 12;
  return `ck_${pool.toString('base64url', poolAt - 12, poolAt)}`;
}
const server = createServer((_req, res) => {
  res.writeHead(302, {
    Location: before + clickId() + after,
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer-when-downgrade',
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': '0',
  });
  res.end();
});
server.keepAliveTimeout = 65_000;
server.listen(Number(values.port), '127.0.0.1', () => process.stdout.write('listening\n'));
process.on('SIGTERM', () => process.exit(0));
