# useapi.net's Python example (Generate Images page), as the page prints it, run as a command:
# imagegen-conformance --vendor useapi-luma --client "python3 adapters/useapi-luma-page.py"
# Changed: the token, URLs and prompt come from the IMAGEGEN_* environment; added at the end, marked,
# the one step the page leaves to you: writing the first image to IMAGEGEN_OUTPUT.
import os
import requests
import time

token = os.environ['IMAGEGEN_API_KEY']
api_url = os.environ['IMAGEGEN_BASE_URL'] + '/images'

headers = {
    'Authorization': f'Bearer {token}',
    'Content-Type': 'application/json'
}

data = {
    'prompt': os.environ['IMAGEGEN_PROMPT'],
    'model': 'photon-v2',
    'resolution': '1080p',
    'aspect_ratio': '16:9'
}

response = requests.post(api_url, headers=headers, json=data)
result = response.json()
print(f"Batch created: {result['jobid']}")
print(f"Image jobs: {result['jobids']}")

# Poll each image job for completion
first_url = None
for jobid in result['jobids']:
    while True:
        job = requests.get(
            f"{os.environ['IMAGEGEN_BASE_URL']}/jobs/{jobid}",
            headers={'Authorization': f'Bearer {token}'}
        ).json()
        print(f"Job {jobid}: {job['status']}")
        if job['status'] == 'completed':
            print(f"Image URL: {job['response']['image']['url']}")
            first_url = first_url or job['response']['image']['url']
            break
        if job['status'] == 'failed':
            raise Exception(job.get('error'))
        time.sleep(5)

# --- added: write the first image ---
with open(os.environ['IMAGEGEN_OUTPUT'], 'wb') as out:
    out.write(requests.get(first_url).content)
