// A Lumen webhook receiver built on the project's client (`verifyLumenWebhook`: signature, then a
// 300 s timestamp tolerance), remembering the task ids it has processed so a duplicate delivery is
// acknowledged without being processed again. Run as a conformance receiver:
// `imagegen-conformance --vendor lumen --receiver "node adapters/lumen-receiver.mjs"`.
import { appendFile } from 'node:fs/promises';
import { createServer } from 'node:http';

import { verifyLumenWebhook } from '@imagegen/lumen';

const processed = new Set();
const server = createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  let task;
  try {
    task = verifyLumenWebhook(Buffer.concat(chunks), req.headers, [process.env.IMAGEGEN_WEBHOOK_SECRET]);
  } catch (error) {
    res.writeHead(401, { 'Content-Type': 'text/plain' }).end(`refused: ${error.message}`);
    return;
  }
  const key = `${task.id} ${task.status}`;
  if (!processed.has(key)) {
    processed.add(key);
    await appendFile(process.env.IMAGEGEN_OUTPUT, `${task.id} ${task.status}\n`);
  }
  res.writeHead(204).end();
});
server.listen(0, '127.0.0.1', () => console.log(`IMAGEGEN_WEBHOOK_URL=http://127.0.0.1:${server.address().port}/lumen-webhook`));
