// Baseline of the tracking-link benchmark: a bare node:http server answering every request with a 302 to a URL as long
// as the product's (destination + UTM + click id), with the same cache headers.
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string' }, location: { type: 'string' } } });
const location = values.location!;
const server = createServer((_req, res) => {
  const clickId = randomBytes(12).toString('base64url');
  res.writeHead(302, { Location: location.replace('CLICKID', clickId), 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer-when-downgrade', 'Content-Length': '0' });
  res.end();
});
server.keepAliveTimeout = 65_000;
server.listen(Number(values.port), '127.0.0.1', () => process.stdout.write('listening\n'));
process.on('SIGTERM', () => process.exit(0));
