import type { ImageInput } from './spec-types.js';

import { normalMediaType, sniffImage } from '../../core/images/image-type.js';
import { problem } from '../../core/problems.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * What Luma checks of input images when a generation is submitted: inline data must be base64 of an
 * image whose `media_type` says what it is (422 otherwise) no larger than the limit (413), a URL must be one the API could fetch
 * (http or https; the mock fetches nothing). Fields are named as in the request: `image_ref[2].data`.
 */
export function checkInputImages(images: ReadonlyArray<readonly [string, ImageInput]>, maxImageBytes: number): void {
  for (const [field, image] of images) {
    if (typeof image.data === 'string') {
      const data = image.data;
      // Three bytes per four characters: an oversized image is refused before it is decoded.
      if (Math.floor((data.length * 3) / 4) > maxImageBytes + 2) throw tooLarge(field, Math.floor((data.length * 3) / 4), maxImageBytes);
      if (data.length === 0 || data.length % 4 !== 0 || !BASE64.test(data)) {
        throw problem('unprocessable', `${field}.data is not valid base64: send the image file's bytes base64-encoded, without a data: URL prefix`);
      }
      const bytes = Buffer.from(data, 'base64');
      if (bytes.length > maxImageBytes) throw tooLarge(field, bytes.length, maxImageBytes);
      const sniffed = sniffImage(bytes);
      if (!sniffed) throw problem('unprocessable', `${field}.data does not decode to an image (PNG, JPEG, WebP or GIF)`);
      // The declared type must be an image type, and the one the bytes are.
      const declared = typeof image.media_type === 'string' ? normalMediaType(image.media_type) : undefined;
      if (declared !== undefined && declared !== sniffed.mediaType) {
        throw problem(
          'unprocessable',
          declared.startsWith('image/')
            ? `${field}.media_type ${image.media_type} does not match the data, which is a ${sniffed.name} image (${sniffed.mediaType})`
            : `${field}.media_type ${image.media_type} is not an image type; the data is a ${sniffed.name} image (${sniffed.mediaType})`,
        );
      }
    } else if (typeof image.url === 'string' && !isFetchableUrl(image.url)) {
      throw problem('unprocessable', `${field}.url: cannot fetch an image from ${JSON.stringify(image.url.slice(0, 200))}; use a publicly accessible http(s) URL`);
    }
  }
}

function tooLarge(field: string, size: number, limit: number) {
  return problem('payload_too_large', `${field}: the input image is ${megabytes(size)}, over the ${megabytes(limit)} limit; resize it`);
}

function megabytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${+(bytes / (1024 * 1024)).toFixed(1)} MB` : `${bytes} bytes`;
}

function isFetchableUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
