import { afterEach, describe, expect, it, vi } from 'vitest';

import { DownloadError, fetchWithoutCredentials } from '../src/fetch-without-credentials.js';

const PRESIGNED = 'https://storage.example.test/outputs/abc/0.png?X-Amz-Expires=3600&X-Amz-Signature=s3cr3t#frag';
const WITHOUT_QUERY = 'https://storage.example.test/outputs/abc/0.png';

/** A fetch that records the Request it was handed and answers with `reply`. */
function recordingFetch(reply: () => Response | Promise<Response>) {
  const requests: Request[] = [];
  const fetch = vi.fn<typeof globalThis.fetch>(async (input) => {
    requests.push(input as Request);
    return reply();
  });
  return { fetch, requests };
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to reject, but it resolved');
}

describe('fetchWithoutCredentials: what it sends', () => {
  it('sends one bare GET to the exact URL: no headers, no cookies, no referrer', async () => {
    const { fetch, requests } = recordingFetch(() => new Response('png'));

    await fetchWithoutCredentials(PRESIGNED, { fetch });

    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request?.method).toBe('GET');
    expect(request?.url).toBe(PRESIGNED);
    expect([...(request?.headers.keys() ?? [])]).toEqual([]);
    expect(request?.credentials).toBe('omit');
    expect(request?.referrerPolicy).toBe('no-referrer');
  });

  it('accepts a URL object', async () => {
    const { fetch, requests } = recordingFetch(() => new Response('png'));

    await fetchWithoutCredentials(new URL(PRESIGNED), { fetch });

    expect(requests[0]?.url).toBe(PRESIGNED);
  });

  it('passes the signal on, so aborting cancels the request', async () => {
    const controller = new AbortController();
    const { fetch, requests } = recordingFetch(() => new Response('png'));

    await fetchWithoutCredentials(PRESIGNED, { fetch, signal: controller.signal });
    controller.abort();

    expect(requests[0]?.signal.aborted).toBe(true);
  });

  describe('uses globalThis.fetch by default', () => {
    afterEach(() => {
      vi.unstubAllGlobals();
    });

    it('calls the global fetch', async () => {
      const { fetch, requests } = recordingFetch(() => new Response('png'));
      vi.stubGlobal('fetch', fetch);

      await fetchWithoutCredentials(PRESIGNED);

      expect(requests).toHaveLength(1);
    });
  });

  it.each(['file:///etc/passwd', 'data:image/png;base64,AAAA', 'ftp://storage.example.test/x.png', 'not a url', '/relative/path.png'])(
    'refuses %j with a TypeError before sending anything',
    async (url) => {
      const { fetch } = recordingFetch(() => new Response('png'));

      await expect(fetchWithoutCredentials(url, { fetch })).rejects.toThrow(TypeError);
      expect(fetch).not.toHaveBeenCalled();
    },
  );
});

describe('fetchWithoutCredentials: what it answers', () => {
  it.each([200, 203, 206])('resolves with the unread %i response', async (status) => {
    const { fetch } = recordingFetch(() => new Response('image bytes', { status, headers: { 'Content-Type': 'image/png' } }));

    const response = await fetchWithoutCredentials(PRESIGNED, { fetch });

    expect(response.status).toBe(status);
    expect(response.bodyUsed).toBe(false);
    await expect(response.text()).resolves.toBe('image bytes');
  });

  it.each<{ status: number; reason: DownloadError['reason'] }>([
    { status: 403, reason: 'forbidden' },
    { status: 404, reason: 'not_found' },
    { status: 400, reason: 'unexpected_status' },
    { status: 410, reason: 'unexpected_status' },
    { status: 500, reason: 'unexpected_status' },
    { status: 304, reason: 'unexpected_status' },
  ])('throws DownloadError reason $reason for $status', async ({ status, reason }) => {
    const xml = '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>';
    const { fetch } = recordingFetch(
      () => new Response(status === 304 ? null : xml, { status, headers: { 'Content-Type': 'application/xml', 'X-Amz-Request-Id': 'r1' } }),
    );

    const error = await rejectionOf(fetchWithoutCredentials(PRESIGNED, { fetch }));

    expect(error).toBeInstanceOf(DownloadError);
    expect(error).toMatchObject({ name: 'DownloadError', status, reason, url: WITHOUT_QUERY, body: status === 304 ? '' : xml });
    expect((error as DownloadError).headers.get('x-amz-request-id')).toBe('r1');
  });

  it('keeps the presigned query (its credential) out of the error and its message', async () => {
    const { fetch } = recordingFetch(() => new Response('Request has expired', { status: 403 }));

    const error = (await rejectionOf(fetchWithoutCredentials(PRESIGNED, { fetch }))) as DownloadError;

    expect(error.message).toBe(`GET ${WITHOUT_QUERY} answered HTTP 403: Request has expired`);
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain('s3cr3t');
  });

  it('reads at most 1 KiB of an error body and cancels the rest', async () => {
    let pulled = 0;
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new TextEncoder().encode('x'.repeat(700)));
      },
      cancel() {
        cancelled = true;
      },
    });
    const { fetch } = recordingFetch(() => new Response(endless, { status: 500 }));

    const error = (await rejectionOf(fetchWithoutCredentials(PRESIGNED, { fetch }))) as DownloadError;

    expect(error.body).toBe('x'.repeat(1024));
    expect(cancelled).toBe(true);
    expect(pulled).toBeLessThan(5);
  });

  it('still reports the status when the error body fails midway', async () => {
    const failing = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('partial'));
        controller.error(new Error('connection reset'));
      },
    });
    const { fetch } = recordingFetch(() => new Response(failing, { status: 403 }));

    const error = await rejectionOf(fetchWithoutCredentials(PRESIGNED, { fetch }));

    expect(error).toMatchObject({ name: 'DownloadError', status: 403, reason: 'forbidden' });
  });

  it('rejects with the network error of the fetch', async () => {
    const failure = new TypeError('fetch failed');
    const fetch = vi.fn<typeof globalThis.fetch>(async () => {
      throw failure;
    });

    await expect(fetchWithoutCredentials(PRESIGNED, { fetch })).rejects.toBe(failure);
  });
});

describe('DownloadError', () => {
  it('takes a message and a cause, and names itself after a subclass', () => {
    class ExpiredError extends DownloadError {}
    const cause = new Error('original');

    const error = new ExpiredError({ status: 403, url: PRESIGNED, message: 'expired, poll again', cause });

    expect(error).toMatchObject({ name: 'ExpiredError', message: 'expired, poll again', cause, reason: 'forbidden', url: WITHOUT_QUERY, body: '' });
    expect(error).toBeInstanceOf(DownloadError);
  });

  it('leaves cause unset when none is given', () => {
    expect('cause' in new DownloadError({ status: 404, url: PRESIGNED })).toBe(false);
  });
});
