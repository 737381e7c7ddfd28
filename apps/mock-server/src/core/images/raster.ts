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
/**
 * The box's edges fall on this grid (once the label is drawn at 2x or more): a JPEG macroblock is
 * 16 px square, so no block mixes the box with the gradient and the encoder can code the box from
 * its pattern alone.
 */
const BOX_GRID = 16;
/**
 * The gradient has at most this many bands: few enough that a PNG can index them in its palette
 * (plus the box and the ink), so the pixel data of every image of a size is the same whatever its
 * colours. 254 steps between two colours are below what an eye tells apart.
 */
export const MAX_BANDS = 254;

/** The label's box: where it sits and what it holds. */
export interface LabelBox {
  /** Columns [left, right), rows [top, bottom); inside the image, on the 16 px grid from scale 2. */
  left: number;
  right: number;
  top: number;
  bottom: number;
  /** Image pixels per label pixel. */
  scale: number;
  /** The label at one pixel per label pixel, row-major, 1 = ink; its top-left corner is (left, top). */
  mask: Uint8Array;
  maskWidth: number;
  maskHeight: number;
  /** Whether the box is dark (and the ink light) or the reverse: the opposite of the gradient behind it. */
  dark: boolean;
}

/**
 * The pixels of a placeholder, described rather than stored: a vertical gradient in bands (colours
 * from the seed's SHA-256) with the label in a box at the top left. What the pixels are (which band,
 * box or ink) depends only on the size and the label; the seed only picks the colours. Encoders use
 * that: rows outside the box are one band each, edge to edge, and rows inside repeat each label row
 * `scale` times.
 */
export class PlaceholderRaster {
  /** Number of gradient bands; band b is palette entry b. */
  readonly bands: number;
  /** RGB of each band, then of the box, then of the ink: (bands + 2) * 3 bytes, a ready PNG palette. */
  readonly palette: Uint8Array;
  readonly box: LabelBox | undefined;
  /** Palette entries of the box and of the ink. */
  readonly boxIndex: number;
  readonly inkIndex: number;

  constructor(
    readonly width: number,
    readonly height: number,
    seed: string,
    label: readonly string[],
  ) {
    const digest = createHash('sha256').update(seed).digest();
    const top: Rgb = [digest[0] ?? 0, digest[1] ?? 0, digest[2] ?? 0];
    const bottom: Rgb = [digest[3] ?? 0, digest[4] ?? 0, digest[5] ?? 0];
    this.bands = Math.min(height, MAX_BANDS);
    this.boxIndex = this.bands;
    this.inkIndex = this.bands + 1;
    this.palette = new Uint8Array((this.bands + 2) * 3);
    for (let b = 0; b < this.bands; b++) {
      const t = this.bands === 1 ? 0 : b / (this.bands - 1);
      for (let c = 0; c < 3; c++) this.palette[b * 3 + c] = Math.round(top[c]! + (bottom[c]! - top[c]!) * t);
    }
    this.box = layOut(width, height, label);
    if (this.box) {
      // The box takes the shade opposite to the gradient behind it, and the ink the opposite of the box.
      const a = this.bandOf(this.box.top) * 3;
      const z = this.bandOf(this.box.bottom - 1) * 3;
      const behind = [0, 1, 2].map((c) => (this.palette[a + c]! + this.palette[z + c]!) / 2);
      this.box.dark = 0.299 * behind[0]! + 0.587 * behind[1]! + 0.114 * behind[2]! >= 128;
    }
    const [boxColour, inkColour] = this.box?.dark === false ? [LIGHT, DARK] : [DARK, LIGHT];
    this.palette.set(boxColour, this.boxIndex * 3);
    this.palette.set(inkColour, this.inkIndex * 3);
  }

  /** The gradient band of row `y`. */
  bandOf(y: number): number {
    return Math.floor((y * this.bands) / this.height);
  }

  /** The palette entry of pixel (x, y); coordinates past an edge take the edge's pixel. */
  indexAt(x: number, y: number): number {
    const cx = Math.min(Math.max(x, 0), this.width - 1);
    const cy = Math.min(Math.max(y, 0), this.height - 1);
    const box = this.box;
    if (box === undefined || cx < box.left || cx >= box.right || cy < box.top || cy >= box.bottom) return this.bandOf(cy);
    return this.inkAt(box, cx, cy) ? this.inkIndex : this.boxIndex;
  }

  /** Whether (x, y), inside the box, is ink. */
  inkAt(box: LabelBox, x: number, y: number): boolean {
    const mx = Math.floor((x - box.left) / box.scale);
    const my = Math.floor((y - box.top) / box.scale);
    return mx < box.maskWidth && my < box.maskHeight && box.mask[my * box.maskWidth + mx] === 1;
  }
}

/** Fits as much of the label as the image has room for; no box when not even one character fits. */
function layOut(width: number, height: number, label: readonly string[]): LabelBox | undefined {
  const s = Math.max(1, Math.floor(Math.min(width, height) / PIXELS_PER_SCALE_STEP));
  const grid = s >= 2 ? BOX_GRID : 1;
  const margin = Math.ceil((MARGIN * s) / grid) * grid;
  const roomX = Math.floor((width - 2 * margin) / s) - 2 * PADDING;
  const roomY = Math.floor((height - 2 * margin) / s) - 2 * PADDING;
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
  // The room computed above keeps the box a margin away from the right and bottom edges too, and
  // rounding its far edges up to the grid takes less than a margin.
  return {
    left: margin,
    top: margin,
    right: Math.min(width, Math.ceil((margin + maskWidth * s) / grid) * grid),
    bottom: Math.min(height, Math.ceil((margin + maskHeight * s) / grid) * grid),
    scale: s,
    mask,
    maskWidth,
    maskHeight,
    dark: true,
  };
}
