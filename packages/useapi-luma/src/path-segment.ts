// RFC 3986 §3.3: a path segment may hold sub-delims, ':' and '@' raw. encodeURIComponent escapes
// those too; they are turned back, so an id goes out exactly as the vendor's own examples send it
// (`${jobid}` in a template literal) while '/', '?', '#', '%' and spaces stay escaped.
const ESCAPED_SEGMENT_CHARACTERS = /%(?:24|26|2B|2C|3B|3D|3A|40)/g;

/**
 * Encodes `value` as one URL path segment, leaving raw every character a segment may hold.
 * Refuses '', '.' and '..', which URL parsing would turn into another endpoint.
 */
export function encodePathSegment(value: string): string {
  if (value === '' || value === '.' || value === '..') {
    throw new TypeError(`Not a path segment: ${JSON.stringify(value)}`);
  }
  return encodeURIComponent(value).replace(ESCAPED_SEGMENT_CHARACTERS, (escape) => decodeURIComponent(escape));
}

/** An openapi-fetch `pathSerializer` that fills each `{name}` with {@link encodePathSegment}. */
export function segmentPathSerializer(url: string, params: Record<string, unknown>): string {
  return url.replace(/\{([^{}]+)\}/g, (placeholder, name: string) => {
    const value = params[name];
    return value === undefined || value === null ? placeholder : encodePathSegment(String(value));
  });
}
