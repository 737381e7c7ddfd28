// LumixAI's documented "Node implementation loop", as its page prints it, run as a command:
// `imagegen-conformance --vendor lumixai --client "node adapters/lumixai-node-loop.mjs"`.
// Changed: the base URL, key, prompt and output file come from the IMAGEGEN_* environment (the page
// has `/api/backend`, LUMIXAI_API_KEY, its own prompt and `lumixai-result.png`). Nothing else.
const BASE = process.env.IMAGEGEN_BASE_URL;
process.env.LUMIXAI_API_KEY = process.env.IMAGEGEN_API_KEY;

const createJob = await fetch(`${BASE}/v1/images/jobs`, {
  method: "POST",
  headers: {
    "Content-Type": "application/json",
    "X-API-Key": process.env.LUMIXAI_API_KEY
  },
  body: JSON.stringify({
    model: "imagen-nano-banana-2-flash",
    prompt: process.env.IMAGEGEN_PROMPT,
    aspectRatio: "16:9",
    resolution: "2k"
  })
});

const job = await createJob.json();

let result = job;
while (result.status === "pending" || result.status === "running") {
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const poll = await fetch(`${BASE}/v1/images/jobs/${job.id}`, {
    headers: { "X-API-Key": process.env.LUMIXAI_API_KEY }
  });
  result = await poll.json();
}

if (result.status === "error") throw new Error(result.error);
const download = await fetch(`${BASE}${result.data[0].download_url}`, {
  headers: { "X-API-Key": process.env.LUMIXAI_API_KEY }
});

if (!download.ok) throw new Error("download failed");
const file = Buffer.from(await download.arrayBuffer());
await import("node:fs/promises").then((fs) => fs.writeFile(process.env.IMAGEGEN_OUTPUT, file));
