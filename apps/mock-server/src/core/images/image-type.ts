/** An image format told from its leading bytes. */
export interface SniffedImage {
  /** How people name it: `PNG`, `JPEG`, `WebP`, `GIF`. */
  name: string;
  /** Its media type: `image/png` ... */
  mediaType: string;
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Leading bytes of the image formats the vendors take as input. */
const SIGNATURES: ReadonlyArray<SniffedImage & { matches(bytes: Buffer): boolean }> = [
  { name: 'PNG', mediaType: 'image/png', matches: (b) => b.subarray(0, 8).equals(PNG) },
  { name: 'JPEG', mediaType: 'image/jpeg', matches: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { name: 'WebP', mediaType: 'image/webp', matches: (b) => b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP' },
  { name: 'GIF', mediaType: 'image/gif', matches: (b) => /^GIF8[79]a$/.test(b.toString('latin1', 0, 6)) },
];

/** What image the bytes are, by their signature; undefined for anything else. */
export function sniffImage(bytes: Buffer): SniffedImage | undefined {
  const found = SIGNATURES.find((signature) => signature.matches(bytes));
  return found && { name: found.name, mediaType: found.mediaType };
}

/** `image/JPG; q=1` -> `image/jpeg`: a declared media type as compared with a sniffed one. */
export function normalMediaType(declared: string): string {
  const type = declared.split(';')[0]!.trim().toLowerCase();
  return type === 'image/jpg' || type === 'image/pjpeg' ? 'image/jpeg' : type;
}
