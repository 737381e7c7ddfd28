import type { LabelBox, PlaceholderRaster } from './raster.js';

/**
 * A baseline JPEG (SOF0, 8-bit, YCbCr 4:2:0, the standard Huffman tables of ITU T.81 Annex K and its
 * quantisation tables at quality 80) of the raster, with `comment` as a COM segment.
 *
 * Encoders built for photographs transform every 8x8 block; a placeholder has few kinds of block.
 * Outside the label a row of 16x16 macroblocks is the same macroblock edge to edge, so it is
 * transformed once and its code repeated; each macroblock row is a restart interval (byte-aligned,
 * its DC predictions reset), so rows never depend on each other. Inside the box (aligned to the
 * macroblock grid by the raster) a block is box, ink or an edge between them, transformed once per
 * pattern for the life of the process. Only macroblocks that mix the gradient with the box (none,
 * from 512 px up) are computed pixel by pixel.
 */
export function encodeJpeg(raster: PlaceholderRaster, comment?: string): Buffer {
  const { width, height, box } = raster;
  const columns = Math.ceil(width / 16);
  const rows = Math.ceil(height / 16);
  const out = new JpegWriter(4096 + rows * 64);
  out.bytes(HEADER_START);
  if (comment !== undefined) out.segment(0xfe, Buffer.from(comment, 'latin1').subarray(0, 65533));
  out.bytes(TABLES);
  out.segment(0xc0, Uint8Array.of(8, height >> 8, height & 255, width >> 8, width & 255, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1));
  out.segment(0xdd, Uint8Array.of(columns >> 8, columns & 255)); // a restart interval per macroblock row
  out.bytes(SCAN_START);

  const colours = yCbCrPalette(raster);
  const state: Predictions = { y: 0, cb: 0, cr: 0 };
  for (let row = 0; row < rows; row++) {
    const y0 = row * 16;
    const plain = plainMacroblock(raster, colours, y0);
    const touchesBox = box !== undefined && y0 < box.bottom && y0 + 16 > box.top;
    if (!touchesBox) {
      emitPlain(out, state, plain, columns);
    } else {
      const inside = y0 >= box.top && y0 + 16 <= box.bottom;
      const inkRows = inside ? inkBitRows(raster, box, y0) : [];
      for (let column = 0; column < columns; ) {
        const x0 = column * 16;
        if (x0 + 16 <= box.left || x0 >= box.right) {
          const end = x0 >= box.right ? columns : Math.min(columns, Math.floor(box.left / 16));
          emitPlain(out, state, plain, end - column);
          column = end;
        } else {
          if (inside && x0 >= box.left && x0 + 16 <= box.right) emitBoxMacroblock(out, state, box.dark, inkRows, x0 >> 3);
          else emitBlocks(out, state, pixelMacroblock(raster, colours, x0, y0));
          column++;
        }
      }
    }
    if (row + 1 < rows) {
      out.restart(row);
      state.y = state.cb = state.cr = 0;
    }
  }
  return out.finish();
}

// ---------------------------------------------------------------------------------------------
// Tables

/** zigzag position -> natural (row-major) index in an 8x8 block. */
const ZIGZAG = (() => {
  const order: number[] = [];
  for (let sum = 0; sum < 15; sum++) {
    const rows = Array.from({ length: Math.min(sum, 7) - Math.max(0, sum - 7) + 1 }, (_, i) => Math.max(0, sum - 7) + i);
    // Odd diagonals run down to the left, even ones up to the right.
    for (const row of sum % 2 === 1 ? rows : rows.reverse()) order.push(row * 8 + sum - row);
  }
  return Uint8Array.from(order);
})();
const NATURAL_TO_ZIGZAG = Uint8Array.from({ length: 64 }, (_, natural) => ZIGZAG.indexOf(natural));

const QUALITY_SCALE = 40; // libjpeg's scaling for quality 80: 200 - 2 * 80
const quantisation = (base: readonly number[]) => Uint8Array.from(base, (q) => Math.min(255, Math.max(1, Math.floor((q * QUALITY_SCALE + 50) / 100))));
// ITU T.81 Annex K.1, natural order.
const LUMA_Q = quantisation([
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37,
  56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
]);
const CHROMA_Q = quantisation([
  17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
  ...Array<number>(32).fill(99),
]);

// ITU T.81 Annex K.3: code counts per length 1..16, then the symbols.
const DC_LUMA = { counts: [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0], symbols: Buffer.from('000102030405060708090a0b', 'hex') };
const DC_CHROMA = { counts: [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0], symbols: Buffer.from('000102030405060708090a0b', 'hex') };
const AC_LUMA = {
  counts: [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d],
  symbols: Buffer.from(
    '01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9fa',
    'hex',
  ),
};
const AC_CHROMA = {
  counts: [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77],
  symbols: Buffer.from(
    '000102031104052131061241510761711322328108144291a1b1c109233352f0156272d10a162434e125f11718191a262728292a35363738393a434445464748494a535455565758595a636465666768696a737475767778797a82838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae2e3e4e5e6e7e8e9eaf2f3f4f5f6f7f8f9fa',
    'hex',
  ),
};

interface HuffmanTable {
  code: Uint16Array;
  bits: Uint8Array;
}

/** Canonical Huffman codes from the counts per length (T.81 Annex C). */
function huffman({ counts, symbols }: { counts: number[]; symbols: Uint8Array }): HuffmanTable {
  const table = { code: new Uint16Array(256), bits: new Uint8Array(256) };
  let code = 0;
  let at = 0;
  counts.forEach((count, i) => {
    for (let n = 0; n < count; n++) {
      const symbol = symbols[at++]!;
      table.code[symbol] = code++;
      table.bits[symbol] = i + 1;
    }
    code <<= 1;
  });
  return table;
}

const HUFFMAN = { dcLuma: huffman(DC_LUMA), dcChroma: huffman(DC_CHROMA), acLuma: huffman(AC_LUMA), acChroma: huffman(AC_CHROMA) };

const segment = (marker: number, data: Uint8Array) => Buffer.concat([Uint8Array.of(0xff, marker, (data.length + 2) >> 8, (data.length + 2) & 255), data]);
const huffmanSegment = (tables: [number, { counts: number[]; symbols: Uint8Array }][]) =>
  segment(0xc4, Buffer.concat(tables.flatMap(([id, { counts, symbols }]) => [Uint8Array.of(id, ...counts), symbols])));
const zigzagged = (q: Uint8Array) => Uint8Array.from(ZIGZAG, (index) => q[index]!);

/** SOI and a JFIF APP0 (version 1.1, square pixels), so every reader takes the components as YCbCr. */
const HEADER_START = Buffer.concat([Uint8Array.of(0xff, 0xd8), segment(0xe0, Uint8Array.of(0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0))]);
const TABLES = Buffer.concat([
  segment(0xdb, Buffer.concat([Uint8Array.of(0), zigzagged(LUMA_Q), Uint8Array.of(1), zigzagged(CHROMA_Q)])),
  huffmanSegment([
    [0x00, DC_LUMA],
    [0x10, AC_LUMA],
    [0x01, DC_CHROMA],
    [0x11, AC_CHROMA],
  ]),
]);
/** One scan of the three components: Y with tables 0, Cb and Cr with tables 1; the whole spectrum. */
const SCAN_START = segment(0xda, Uint8Array.of(3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0));

// ---------------------------------------------------------------------------------------------
// Blocks

/** A quantised 8x8 block, ready to write: its DC value and the code of its AC coefficients (EOB included). */
interface CodedBlock {
  dc: number;
  ac: BitString;
}

/** Bits as chunks of at most 24, most significant first, written with one call each. */
interface BitString {
  values: number[];
  lengths: number[];
}

function appendBits(string: BitString, value: number, length: number): void {
  const last = string.lengths.length - 1;
  if (last >= 0 && string.lengths[last]! + length <= 24) {
    string.values[last] = (string.values[last]! << length) | value;
    string.lengths[last]! += length;
  } else {
    string.values.push(value);
    string.lengths.push(length);
  }
}

/** Bit size of a coefficient (T.81 F.1.2.1.1) and the bits that follow its code. */
function magnitude(value: number): [size: number, bits: number] {
  const absolute = Math.abs(value);
  const size = absolute === 0 ? 0 : 32 - Math.clz32(absolute);
  return [size, value >= 0 ? value : (value - 1) & ((1 << size) - 1)];
}

/** Quantises a block of samples (level-shifted, natural order) and codes its AC coefficients. */
function codeBlock(samples: Float64Array, quant: Uint8Array, ac: HuffmanTable): CodedBlock {
  const coefficients = dct(samples);
  for (let k = 0; k < 64; k++) QUANTISED[k] = Math.round(coefficients[ZIGZAG[k]!]! / quant[ZIGZAG[k]!]!);
  return codeQuantised(QUANTISED, ac);
}

/**
 * codeBlock for a block whose rows are each one value (`column`, top to bottom): only the first
 * column of its DCT is non-zero, 64 multiplications instead of 1,024. Gradient blocks are all like this.
 */
function codeColumnBlock(column: Float64Array, quant: Uint8Array, ac: HuffmanTable): CodedBlock {
  QUANTISED.fill(0);
  for (let v = 0; v < 8; v++) {
    let sum = 0;
    for (let y = 0; y < 8; y++) sum += column[y]! * BASIS[v * 8 + y]!;
    // The row transform of a constant row puts 8 * BASIS[0] = 2 * sqrt(2) times the value in column 0.
    QUANTISED[NATURAL_TO_ZIGZAG[v * 8]!] = Math.round((sum * 2 * Math.SQRT2) / quant[v * 8]!);
  }
  return codeQuantised(QUANTISED, ac);
}

const QUANTISED = new Int32Array(64);

/** The DC value and the AC code of quantised coefficients in zigzag order. */
function codeQuantised(zz: Int32Array, ac: HuffmanTable): CodedBlock {
  const bits: BitString = { values: [], lengths: [] };
  let zeros = 0;
  for (let k = 1; k < 64; k++) {
    const value = zz[k]!;
    if (value === 0) {
      zeros++;
      continue;
    }
    for (; zeros >= 16; zeros -= 16) appendBits(bits, ac.code[0xf0]!, ac.bits[0xf0]!);
    const [size, extra] = magnitude(value);
    const symbol = (zeros << 4) | size;
    appendBits(bits, ac.code[symbol]!, ac.bits[symbol]!);
    appendBits(bits, extra, size);
    zeros = 0;
  }
  if (zeros > 0) appendBits(bits, ac.code[0]!, ac.bits[0]!); // end of block
  return { dc: zz[0]!, ac: bits };
}

/** cos((2x + 1) u pi / 16) with the DCT's normalisation, [u * 8 + x]. */
const BASIS = Float64Array.from({ length: 64 }, (_, i) => {
  const u = i >> 3;
  const x = i & 7;
  return (u === 0 ? Math.SQRT1_2 : 1) * 0.5 * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
});

const DCT_ROWS = new Float64Array(64);
const DCT_OUT = new Float64Array(64);

/** The 2-D DCT-II of a block (T.81 A.3.3), separably: rows, then columns (into scratch, reused). */
function dct(samples: Float64Array): Float64Array {
  dctPass(samples, DCT_ROWS, true);
  dctPass(DCT_ROWS, DCT_OUT, false);
  return DCT_OUT;
}

/** The 1-D DCT of each row (`rows`) or each column of an 8x8 block, in place of its samples. */
function dctPass(input: Float64Array, output: Float64Array, rows: boolean): void {
  const at = rows ? (line: number, k: number) => line * 8 + k : (line: number, k: number) => k * 8 + line;
  for (let line = 0; line < 8; line++) {
    for (let frequency = 0; frequency < 8; frequency++) {
      let sum = 0;
      for (let k = 0; k < 8; k++) sum += input[at(line, k)]! * BASIS[frequency * 8 + k]!;
      output[at(line, frequency)] = sum;
    }
  }
}

/** Y, Cb and Cr of every palette entry (JFIF's conversion, level-shifted by -128). */
function yCbCrPalette(raster: PlaceholderRaster): Float64Array {
  const { palette } = raster;
  const out = new Float64Array(palette.length);
  for (let i = 0; i < palette.length; i += 3) {
    const r = palette[i]!;
    const g = palette[i + 1]!;
    const b = palette[i + 2]!;
    out[i] = 0.299 * r + 0.587 * g + 0.114 * b - 128;
    out[i + 1] = -0.168736 * r - 0.331264 * g + 0.5 * b;
    out[i + 2] = 0.5 * r - 0.418688 * g - 0.081312 * b;
  }
  return out;
}

/** The six blocks of a macroblock in scan order: four Y (left to right, top to bottom), Cb, Cr. */
type Macroblock = [CodedBlock, CodedBlock, CodedBlock, CodedBlock, CodedBlock, CodedBlock];

/** A macroblock from its pixels, for those that mix the gradient with the box (and tiny images). */
function pixelMacroblock(raster: PlaceholderRaster, colours: Float64Array, x0: number, y0: number): Macroblock {
  const luma = [0, 1, 2, 3].map(() => new Float64Array(64));
  const cb = new Float64Array(64);
  const cr = new Float64Array(64);
  for (let y = 0; y < 16; y++) {
    for (let x = 0; x < 16; x++) {
      const at = raster.indexAt(x0 + x, y0 + y) * 3;
      luma[(y >> 3) * 2 + (x >> 3)]![(y & 7) * 8 + (x & 7)] = colours[at]!;
      cb[(y >> 1) * 8 + (x >> 1)]! += colours[at + 1]! / 4;
      cr[(y >> 1) * 8 + (x >> 1)]! += colours[at + 2]! / 4;
    }
  }
  const y = luma.map((samples) => codeBlock(samples, LUMA_Q, HUFFMAN.acLuma));
  return [y[0]!, y[1]!, y[2]!, y[3]!, codeBlock(cb, CHROMA_Q, HUFFMAN.acChroma), codeBlock(cr, CHROMA_Q, HUFFMAN.acChroma)];
}

interface PlainMacroblock {
  blocks: Macroblock;
  /** The code of this macroblock right after itself (every DC difference known), for repeating it. */
  repeat: BitString;
}

/** The macroblock of macroblock row y0 outside the box: one band colour per pixel row, edge to edge. */
function plainMacroblock(raster: PlaceholderRaster, colours: Float64Array, y0: number): PlainMacroblock {
  const top = new Float64Array(8);
  const bottom = new Float64Array(8);
  const cb = new Float64Array(8);
  const cr = new Float64Array(8);
  for (let y = 0; y < 16; y++) {
    const at = raster.bandOf(Math.min(y0 + y, raster.height - 1)) * 3;
    (y < 8 ? top : bottom)[y & 7] = colours[at]!;
    cb[y >> 1]! += colours[at + 1]! / 2;
    cr[y >> 1]! += colours[at + 2]! / 2;
  }
  const t = codeColumnBlock(top, LUMA_Q, HUFFMAN.acLuma);
  const b = codeColumnBlock(bottom, LUMA_Q, HUFFMAN.acLuma);
  const blocks: Macroblock = [t, t, b, b, codeColumnBlock(cb, CHROMA_Q, HUFFMAN.acChroma), codeColumnBlock(cr, CHROMA_Q, HUFFMAN.acChroma)];
  const repeat: BitString = { values: [], lengths: [] };
  const state: Predictions = { y: b.dc, cb: blocks[4].dc, cr: blocks[5].dc };
  blocks.forEach((block, i) => appendBlock(repeat, state, block, i));
  return { blocks, repeat };
}

interface Predictions {
  y: number;
  cb: number;
  cr: number;
}

const COMPONENT = ['y', 'y', 'y', 'y', 'cb', 'cr'] as const;

/** Appends block `i` of a macroblock (its DC as a difference to the prediction, then its AC code). */
function appendBlock(string: BitString, state: Predictions, block: CodedBlock, i: number): void {
  const component = COMPONENT[i]!;
  const dc = component === 'y' ? HUFFMAN.dcLuma : HUFFMAN.dcChroma;
  const [size, extra] = magnitude(block.dc - state[component]);
  state[component] = block.dc;
  appendBits(string, dc.code[size]!, dc.bits[size]!);
  if (size > 0) appendBits(string, extra, size);
  for (let k = 0; k < block.ac.values.length; k++) appendBits(string, block.ac.values[k]!, block.ac.lengths[k]!);
}

function emitBlocks(out: JpegWriter, state: Predictions, blocks: readonly CodedBlock[]): void {
  for (let i = 0; i < 4; i++) emitLuma(out, state, blocks[i]!);
  emitChroma(out, state, blocks[4]!, blocks[5]!);
}

function emitLuma(out: JpegWriter, state: Predictions, block: CodedBlock): void {
  out.dc(HUFFMAN.dcLuma, block.dc - state.y);
  state.y = block.dc;
  out.string(block.ac);
}

function emitChroma(out: JpegWriter, state: Predictions, cb: CodedBlock, cr: CodedBlock): void {
  out.dc(HUFFMAN.dcChroma, cb.dc - state.cb);
  out.string(cb.ac);
  out.dc(HUFFMAN.dcChroma, cr.dc - state.cr);
  out.string(cr.ac);
  state.cb = cb.dc;
  state.cr = cr.dc;
}

/** `count` plain macroblocks: the first after whatever came before, the rest as the repeated code. */
function emitPlain(out: JpegWriter, state: Predictions, plain: PlainMacroblock, count: number): void {
  if (count <= 0) return;
  emitBlocks(out, state, plain.blocks);
  out.repeat(plain.repeat, count - 1);
}

// ---------------------------------------------------------------------------------------------
// The box: ink patterns

/** Level-shifted Y of the two greys (their chroma is neutral). */
const LIGHT_Y = 245 - 128;
const DARK_Y = 16 - 128;
/** Coded Y blocks by ink pattern (8 bytes, a bit per pixel), for a dark box and for a light one. */
const PATTERNS = { dark: new Map<string, CodedBlock>(), light: new Map<string, CodedBlock>() };
/** Patterns kept per shade: labels at any one scale use a few hundred; a bound keeps odd scales from growing it. */
const MAX_PATTERNS = 8192;
/** Blocks of one grey. */
const FLAT = {
  dark: codeBlock(new Float64Array(64).fill(DARK_Y), LUMA_Q, HUFFMAN.acLuma),
  light: codeBlock(new Float64Array(64).fill(LIGHT_Y), LUMA_Q, HUFFMAN.acLuma),
};
/** The box's chroma is neutral: both box and ink are greys. */
const NEUTRAL = codeBlock(new Float64Array(64), CHROMA_Q, HUFFMAN.acChroma);

function patternBlock(dark: boolean, rows: readonly Uint8Array[], y: number, byte: number): CodedBlock {
  const first = rows[y]![byte]!;
  if (
    (first === 0 || first === 0xff) &&
    rows[y + 1]![byte] === first && rows[y + 2]![byte] === first && rows[y + 3]![byte] === first &&
    rows[y + 4]![byte] === first && rows[y + 5]![byte] === first && rows[y + 6]![byte] === first && rows[y + 7]![byte] === first
  ) {
    // All box or all ink: most blocks of a label drawn at 8x or more.
    return (first === 0) === dark ? FLAT.dark : FLAT.light;
  }
  const key = String.fromCharCode(
    rows[y]![byte]!, rows[y + 1]![byte]!, rows[y + 2]![byte]!, rows[y + 3]![byte]!,
    rows[y + 4]![byte]!, rows[y + 5]![byte]!, rows[y + 6]![byte]!, rows[y + 7]![byte]!,
  );
  const cache = dark ? PATTERNS.dark : PATTERNS.light;
  let block = cache.get(key);
  if (block === undefined) {
    const ink = dark ? LIGHT_Y : DARK_Y;
    const box = dark ? DARK_Y : LIGHT_Y;
    const samples = new Float64Array(64);
    for (let i = 0; i < 64; i++) samples[i] = (key.charCodeAt(i >> 3) >> (7 - (i & 7))) & 1 ? ink : box;
    block = codeBlock(samples, LUMA_Q, HUFFMAN.acLuma);
    if (cache.size >= MAX_PATTERNS) cache.clear();
    cache.set(key, block);
  }
  return block;
}

/** A macroblock inside the box, from the ink bits of its 16 rows; `byte` is its left edge / 8. */
function emitBoxMacroblock(out: JpegWriter, state: Predictions, dark: boolean, rows: readonly Uint8Array[], byte: number): void {
  emitLuma(out, state, patternBlock(dark, rows, 0, byte));
  emitLuma(out, state, patternBlock(dark, rows, 0, byte + 1));
  emitLuma(out, state, patternBlock(dark, rows, 8, byte));
  emitLuma(out, state, patternBlock(dark, rows, 8, byte + 1));
  emitChroma(out, state, NEUTRAL, NEUTRAL);
}

/** Ink of the 16 pixel rows from y0 (all inside the box), a bit per pixel, most significant first. */
function inkBitRows(raster: PlaceholderRaster, box: LabelBox, y0: number): Uint8Array[] {
  const bytes = Math.ceil(raster.width / 8);
  const rows: Uint8Array[] = [];
  let previousLabelRow = -1;
  for (let y = y0; y < y0 + 16; y++) {
    const labelRow = Math.floor((y - box.top) / box.scale);
    if (labelRow === previousLabelRow) {
      rows.push(rows.at(-1)!);
      continue;
    }
    previousLabelRow = labelRow;
    const bits = new Uint8Array(bytes);
    if (labelRow < box.maskHeight) {
      for (let mx = 0; mx < box.maskWidth; mx++) {
        if (box.mask[labelRow * box.maskWidth + mx] === 1) setBits(bits, box.left + mx * box.scale, box.left + (mx + 1) * box.scale);
      }
    }
    rows.push(bits);
  }
  return rows;
}

function setBits(bits: Uint8Array, from: number, to: number): void {
  for (let x = from; x < to; x++) bits[x >> 3]! |= 0x80 >> (x & 7);
}

// ---------------------------------------------------------------------------------------------

/** Entropy-coded data, most significant bit first, with a 0 stuffed after every 0xFF (T.81 F.1.2.3). */
class JpegWriter {
  #buffer: Buffer;
  #at = 0;
  #pending = 0;
  #pendingBits = 0;
  #periodStart = 0;

  constructor(capacity: number) {
    this.#buffer = Buffer.allocUnsafe(capacity);
  }

  bytes(data: Uint8Array): void {
    this.#reserve(data.length);
    this.#buffer.set(data, this.#at);
    this.#at += data.length;
  }

  segment(marker: number, data: Uint8Array): void {
    this.bytes(segment(marker, data));
  }

  /** A DC difference: the code of its size, then its bits. */
  dc(table: HuffmanTable, difference: number): void {
    this.#reserve(8);
    const size = difference === 0 ? 0 : 32 - Math.clz32(Math.abs(difference));
    const extra = difference >= 0 ? difference : (difference - 1) & ((1 << size) - 1);
    this.#bits((table.code[size]! << size) | extra, table.bits[size]! + size);
  }

  /**
   * `string` written `count` times. Eight copies of an L-bit string are L bytes, so once the bytes
   * of a run of eight are out (from the second run on, whose bytes hold nothing written before),
   * further runs are copies of those bytes, stuffing included, and end in the same pending bits.
   */
  repeat(string: BitString, count: number): void {
    const direct = Math.min(count, 16);
    for (let i = 0; i < direct; i++) {
      if (i === 8) this.#periodStart = this.#at;
      this.string(string);
    }
    let left = count - direct;
    if (left >= 8) {
      const start = this.#periodStart;
      const period = this.#at - start;
      const periods = Math.floor(left / 8);
      this.#reserve(period * periods);
      for (let i = 0; i < periods; i++) this.#buffer.copyWithin(this.#at + i * period, start, start + period);
      this.#at += period * periods;
      left -= periods * 8;
    }
    for (let i = 0; i < left; i++) this.string(string);
  }

  string({ values, lengths }: BitString): void {
    this.#reserve(lengths.length * 6);
    for (let i = 0; i < values.length; i++) this.#bits(values[i]!, lengths[i]!);
  }

  /** Pads the row with 1 bits to a byte, then RSTn. */
  restart(row: number): void {
    this.#reserve(8);
    if (this.#pendingBits > 0) this.#bits((1 << (8 - this.#pendingBits)) - 1, 8 - this.#pendingBits);
    this.#buffer[this.#at++] = 0xff;
    this.#buffer[this.#at++] = 0xd0 + (row & 7);
  }

  finish(): Buffer {
    this.#reserve(8);
    if (this.#pendingBits > 0) this.#bits((1 << (8 - this.#pendingBits)) - 1, 8 - this.#pendingBits);
    this.#buffer[this.#at++] = 0xff;
    this.#buffer[this.#at++] = 0xd9;
    return this.#buffer.subarray(0, this.#at);
  }

  #bits(value: number, length: number): void {
    this.#pending = (this.#pending << length) | value;
    this.#pendingBits += length;
    while (this.#pendingBits >= 8) {
      this.#pendingBits -= 8;
      const byte = (this.#pending >>> this.#pendingBits) & 0xff;
      this.#buffer[this.#at++] = byte;
      if (byte === 0xff) this.#buffer[this.#at++] = 0;
    }
    this.#pending &= (1 << this.#pendingBits) - 1;
  }

  #reserve(bytes: number): void {
    if (this.#at + bytes <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.#at + bytes));
    this.#buffer.copy(grown, 0, 0, this.#at);
    this.#buffer = grown;
  }
}
