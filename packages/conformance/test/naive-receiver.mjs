// A deliberately naive Lumen webhook receiver: it checks the signature but not the timestamp, and
// processes every delivery it accepts, duplicates included. The runner must fail it by name.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const raw = Buffer.concat(chunks);
    const expected = Buffer.from(`sha256=${createHmac('sha256', process.env.IMAGEGEN_WEBHOOK_SECRET).update(raw).digest('hex')}`);
    const given = Buffer.from(String(req.headers['x-lumen-signature'] ?? ''));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.writeHead(401).end();
      return;
    }
    const task = JSON.parse(raw.toString('utf8'));
    appendFileSync(process.env.IMAGEGEN_OUTPUT, `${task.id} ${task.status}\n`);
    res.writeHead(204).end();
  });
});
server.listen(0, '127.0.0.1', () => console.log(`IMAGEGEN_WEBHOOK_URL=http://127.0.0.1:${server.address().port}/hook`));
