// useapi.net's JavaScript example (Generate Images page), as the page prints it, run as a command:
// `imagegen-conformance --vendor useapi-luma --client "node adapters/useapi-luma-page.mjs"`.
// Changed: the token, URLs and prompt come from the IMAGEGEN_* environment; added at the end, marked,
// the one step the page leaves to you: writing the first image to IMAGEGEN_OUTPUT.
const token = process.env.IMAGEGEN_API_KEY
const apiUrl = `${process.env.IMAGEGEN_BASE_URL}/images`

const response = await fetch(apiUrl, {
  method: 'POST',
  headers: {
    'Authorization': `Bearer ${token}`,
    'Content-Type': 'application/json'
  },
  body: JSON.stringify({
    prompt: process.env.IMAGEGEN_PROMPT,
    model: 'photon-v2',
    resolution: '1080p',
    aspect_ratio: '16:9'
  })
})

const result = await response.json()
console.log('Batch created:', result.jobid)
console.log('Image jobs:', result.jobids)

// Poll each image job for completion
const pollJob = async (jobid) => {
  while (true) {
    const res = await fetch(`${process.env.IMAGEGEN_BASE_URL}/jobs/${jobid}`, {
      headers: { 'Authorization': `Bearer ${token}` }
    })
    const job = await res.json()
    if (job.status === 'completed') {
      console.log('Image URL:', job.response.image.url)
      return job
    }
    if (job.status === 'failed') throw new Error(job.error)
    await new Promise(r => setTimeout(r, 5000))
  }
}

const images = await Promise.all(result.jobids.map(pollJob))

// --- added: write the first image ---
const image = await fetch(images[0].response.image.url)
await (await import('node:fs/promises')).writeFile(process.env.IMAGEGEN_OUTPUT, Buffer.from(await image.arrayBuffer()))
