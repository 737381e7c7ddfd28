// A deliberately naive LumixAI client, as a command: it resubmits on any error (a lost answer, a
// 429, a failed job), ignores every wait the server asks for, and sends no idempotency key. The
// conformance runner must fail it, naming the expectation it broke.
import { writeFile } from 'node:fs/promises';

const { IMAGEGEN_BASE_URL: base, IMAGEGEN_API_KEY: key, IMAGEGEN_PROMPT: prompt, IMAGEGEN_OUTPUT: output, IMAGEGEN_TIMEOUT_MS } = process.env;
const deadline = Date.now() + Number(IMAGEGEN_TIMEOUT_MS);
const headers = { 'X-API-Key': key, 'Content-Type': 'application/json' };

for (let attempt = 1; attempt <= 5 && Date.now() < deadline; attempt++) {
  try {
    const created = await fetch(`${base}/v1/images/jobs`, { method: 'POST', headers, body: JSON.stringify({ model: 'imagen-nano-banana-2-flash', prompt }) });
    if (!created.ok) throw new Error(`submit answered ${created.status}`);
    const { id } = await created.json();
    let job;
    for (let poll = 0; poll < 100 && Date.now() < deadline; poll++) {
      job = await (await fetch(`${base}/v1/images/jobs/${id}`, { headers })).json();
      if (job.status === 'done' || job.status === 'error') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (job?.status !== 'done') throw new Error(`job ${id} ended ${job?.status}: ${job?.error}`);
    const image = await fetch(`${base}${job.data[0].download_url}`, { headers });
    if (!image.ok) throw new Error(`download answered ${image.status}`);
    await writeFile(output, Buffer.from(await image.arrayBuffer()));
    process.exit(0);
  } catch (error) {
    console.error(`attempt ${attempt} failed (${error.message}); trying again at once`);
  }
}
console.error('gave up');
process.exit(1);
