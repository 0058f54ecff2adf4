// Worker-thread side of SentimentPool: scores the batches it is sent and answers with their results.
import { parentPort } from 'node:worker_threads';
import { scoreComment } from './sentiment.js';

interface Request {
  id: number;
  items: { text: string; lang?: string }[];
}

if (!parentPort) throw new Error('sentimentWorker.ts must run as a worker thread');
const port = parentPort;
port.on('message', (req: Request) => {
  port.postMessage({ id: req.id, results: req.items.map((item) => scoreComment(item.text, item.lang)) });
});
