import { createHash } from 'node:crypto';

import { GLYPH_HEIGHT, GLYPH_WIDTH, glyphInk, toFontText } from './bitmap-font.js';

type Rgb = readonly [number, number, number];

/** Font pixels per label pixel grow by one for every this many pixels of the image's shorter side. */
const PIXELS_PER_SCALE_STEP = 256;
// In label pixels (before scaling): gap to the image edge, box padding, and the glyph cell.
const MARGIN = 4;
const PADDING = 3;
const CELL_WIDTH = GLYPH_WIDTH + 1;
const LINE_HEIGHT = GLYPH_HEIGHT + 2;
const DARK: Rgb = [16, 16, 16];
const LIGHT: Rgb = [245, 245, 245];

interface Box {
  /** Where the box sits: columns [left, right), rows [top, bottom); always inside the image. */
  left: number;
  right: number;
  top: number;
  bottom: number;
  /** The label at one pixel per font pixel, row-major, 1 = ink, 0 = box. */
  mask: Uint8Array;
  maskWidth: number;
  background: Rgb;
  ink: Rgb;
}

/**
 * The pixels of a placeholder, described rather than stored: a vertical two-colour gradient (one
 * colour per row, from the seed's SHA-256) with the label in a box at the top left. Encoders ask
 * for one row at a time and can skip the work for rows the box does not touch, which is most of
 * them: that is what keeps a 4096 px placeholder cheap.
 */
export class PlaceholderRaster {
  readonly #rowColours: Uint8Array;
  readonly #box: Box | undefined;
  readonly #scale: number;

  constructor(
    readonly width: number,
    readonly height: number,
    seed: string,
    label: readonly string[],
  ) {
    const digest = createHash('sha256').update(seed).digest();
    const top: Rgb = [digest[0] ?? 0, digest[1] ?? 0, digest[2] ?? 0];
    const bottom: Rgb = [digest[3] ?? 0, digest[4] ?? 0, digest[5] ?? 0];
    this.#rowColours = new Uint8Array(height * 3);
    for (let y = 0; y < height; y++) {
      const t = height === 1 ? 0 : y / (height - 1);
      for (let c = 0; c < 3; c++) this.#rowColours[y * 3 + c] = Math.round(top[c]! + (bottom[c]! - top[c]!) * t);
    }
    this.#scale = Math.max(1, Math.floor(Math.min(width, height) / PIXELS_PER_SCALE_STEP));
    this.#box = this.#layOut(label);
  }

  /** Whether row `y` is the gradient colour from edge to edge. */
  isPlainRow(y: number): boolean {
    return this.#box === undefined || y < this.#box.top || y >= this.#box.bottom;
  }

  /** Writes the gradient colour of row `y` (RGB) at `offset`. */
  writeRowColour(y: number, out: Uint8Array | Uint8ClampedArray, offset: number): void {
    out[offset] = this.#rowColours[y * 3]!;
    out[offset + 1] = this.#rowColours[y * 3 + 1]!;
    out[offset + 2] = this.#rowColours[y * 3 + 2]!;
  }

  /** Writes all of row `y` at `offset`, `channels` bytes a pixel (RGB, or RGBA with opaque alpha). */
  paintRow(y: number, out: Uint8Array | Uint8ClampedArray, offset: number, channels: 3 | 4): void {
    const fill = (from: number, to: number, r: number, g: number, b: number) => {
      for (let at = offset + from * channels, end = offset + to * channels; at < end; at += channels) {
        out[at] = r;
        out[at + 1] = g;
        out[at + 2] = b;
        if (channels === 4) out[at + 3] = 255;
      }
    };
    fill(0, this.width, this.#rowColours[y * 3]!, this.#rowColours[y * 3 + 1]!, this.#rowColours[y * 3 + 2]!);
    const box = this.#box;
    if (box === undefined || this.isPlainRow(y)) return;
    const s = this.#scale;
    const maskRow = Math.floor((y - box.top) / s) * box.maskWidth;
    for (let mx = 0; mx < box.maskWidth; mx++) {
      const [r, g, b] = box.mask[maskRow + mx] === 1 ? box.ink : box.background;
      fill(box.left + mx * s, box.left + (mx + 1) * s, r, g, b);
    }
  }

  /** Fits as much of the label as the image has room for; no box when not even one character fits. */
  #layOut(label: readonly string[]): Box | undefined {
    const s = this.#scale;
    const roomX = Math.floor(this.width / s) - 2 * (MARGIN + PADDING);
    const roomY = Math.floor(this.height / s) - 2 * (MARGIN + PADDING);
    const columns = Math.floor((roomX + 1) / CELL_WIDTH);
    const lines = label
      .slice(0, Math.max(0, Math.floor((roomY + 2) / LINE_HEIGHT)))
      .map((line) => [...toFontText(line)].slice(0, Math.max(0, columns)).join('').trimEnd());
    while (lines.length > 0 && lines.at(-1) === '') lines.pop();
    const longest = Math.max(0, ...lines.map((line) => line.length));
    if (longest === 0) return undefined;

    const maskWidth = 2 * PADDING + longest * CELL_WIDTH - 1;
    const maskHeight = 2 * PADDING + lines.length * LINE_HEIGHT - 2;
    const mask = new Uint8Array(maskWidth * maskHeight);
    lines.forEach((line, row) => {
      for (let i = 0; i < line.length; i++) {
        const code = line.charCodeAt(i);
        for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
          for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
            if (glyphInk(code, gx, gy)) mask[(PADDING + row * LINE_HEIGHT + gy) * maskWidth + PADDING + i * CELL_WIDTH + gx] = 1;
          }
        }
      }
    });

    // The room computed above keeps the box MARGIN * s away from the right and bottom edges too.
    const top = MARGIN * s;
    const bottom = top + maskHeight * s;
    // The box takes the shade opposite to the gradient behind it, and the ink the opposite of the box.
    const behind = [0, 1, 2].map((c) => (this.#rowColours[top * 3 + c]! + this.#rowColours[(bottom - 1) * 3 + c]!) / 2);
    const light = 0.299 * behind[0]! + 0.587 * behind[1]! + 0.114 * behind[2]! >= 128;
    return {
      left: MARGIN * s,
      right: MARGIN * s + maskWidth * s,
      top,
      bottom,
      mask,
      maskWidth,
      background: light ? DARK : LIGHT,
      ink: light ? LIGHT : DARK,
    };
  }
}
