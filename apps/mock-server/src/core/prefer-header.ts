/**
 * Reads RFC 7240 `Prefer` preferences, the header Prism users already know for choosing a
 * response (`Prefer: code=503`). Several may be comma-separated or sent in several headers.
 */
export function parsePrefer(header: string | string[] | undefined): Map<string, string> {
  const preferences = new Map<string, string>();
  const values = header === undefined ? [] : Array.isArray(header) ? header : [header];
  for (const value of values) {
    for (const part of value.split(',')) {
      const [token, ...rest] = part.split(';')[0]?.split('=') ?? [];
      const name = token?.trim().toLowerCase();
      if (!name) continue;
      preferences.set(name, rest.join('=').trim().replace(/^"(.*)"$/, '$1'));
    }
  }
  return preferences;
}
