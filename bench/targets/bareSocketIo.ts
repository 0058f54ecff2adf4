// Baseline of the fan-out benchmark: a bare Socket.IO server (same options as the product's hub) that puts every socket
// in one room and broadcasts the product's own delta payload to it once a second, stamped with the emit time.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Server } from 'socket.io';

const { values } = parseArgs({ options: { port: { type: 'string' }, payload: { type: 'string' } } });
const payload = JSON.parse(readFileSync(values.payload!, 'utf8')) as Record<string, unknown>;
const http = createServer();
const io = new Server(http, {
  path: '/socket.io',
  perMessageDeflate: false,
  httpCompression: false,
  serveClient: false,
  cors: { origin: false },
});
io.on('connection', (s) => void s.join('room'));
setInterval(() => io.to('room').emit('delta', { ...payload, at: Date.now(), sent_at: Date.now() }), 1000);
http.listen(Number(values.port), '127.0.0.1', () => process.stdout.write('listening\n'));
process.on('SIGTERM', () => process.exit(0));
