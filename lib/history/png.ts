/**
 * A small RGB raster with what a line chart needs (anti-aliased lines, dashed lines,
 * rectangles, 5x7 bitmap text) and a PNG encoder on node:zlib. No dependencies.
 */
import { crc32, deflateSync } from "node:zlib";
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyph } from "./font5x7.js";

export type Rgb = readonly [number, number, number];

export function hexColor(hex: string): Rgb {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return [0, 0, 0];
  return [Number.parseInt(m[1] ?? "0", 16), Number.parseInt(m[2] ?? "0", 16), Number.parseInt(m[3] ?? "0", 16)];
}

export class Raster {
  readonly pixels: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = [255, 255, 255],
  ) {
    this.pixels = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) this.pixels.set(background, i * 3);
  }

  /** Blend `color` into pixel (x, y) with coverage `alpha` in [0, 1]. */
  plot(x: number, y: number, color: Rgb, alpha = 1): void {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= this.width || yi >= this.height || !(alpha > 0)) return;
    const a = Math.min(1, alpha);
    const i = (yi * this.width + xi) * 3;
    for (let c = 0; c < 3; c++) {
      const old = this.pixels[i + c] ?? 0;
      this.pixels[i + c] = Math.round(old + ((color[c] ?? 0) - old) * a);
    }
  }

  fillRect(x: number, y: number, w: number, h: number, color: Rgb): void {
    for (let yy = Math.max(0, Math.round(y)); yy < Math.min(this.height, Math.round(y + h)); yy++) {
      for (let xx = Math.max(0, Math.round(x)); xx < Math.min(this.width, Math.round(x + w)); xx++)
        this.plot(xx, yy, color);
    }
  }

  /**
   * An anti-aliased line `thickness` pixels wide: each pixel near the segment is covered by
   * how far it is from the segment's centre line.
   */
  line(x0: number, y0: number, x1: number, y1: number, color: Rgb, thickness = 1): void {
    const half = thickness / 2;
    const minX = Math.floor(Math.min(x0, x1) - half - 1);
    const maxX = Math.ceil(Math.max(x0, x1) + half + 1);
    const minY = Math.floor(Math.min(y0, y1) - half - 1);
    const maxY = Math.ceil(Math.max(y0, y1) + half + 1);
    const dx = x1 - x0;
    const dy = y1 - y0;
    const len2 = dx * dx + dy * dy;
    for (let y = Math.max(0, minY); y <= Math.min(this.height - 1, maxY); y++) {
      for (let x = Math.max(0, minX); x <= Math.min(this.width - 1, maxX); x++) {
        const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - x0) * dx + (y - y0) * dy) / len2));
        const px = x0 + t * dx - x;
        const py = y0 + t * dy - y;
        const d = Math.sqrt(px * px + py * py);
        const coverage = half + 0.5 - d;
        if (coverage > 0) this.plot(x, y, color, coverage);
      }
    }
  }

  /** A horizontal dashed line. */
  dashedH(x0: number, x1: number, y: number, color: Rgb, dash = 8, gap = 5, thickness = 1): void {
    for (let x = x0; x < x1; x += dash + gap)
      this.fillRect(x, y - thickness / 2, Math.min(dash, x1 - x), thickness, color);
  }

  /** Text in the 5x7 font at pixel `scale`; (x, y) is the top-left corner. Returns the width drawn. */
  text(x: number, y: number, text: string, color: Rgb, scale = 2): number {
    let cx = x;
    for (const ch of text) {
      const bits = glyph(ch) ?? glyph("?");
      if (bits) {
        for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
          for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
            if (bits[gy * GLYPH_WIDTH + gx]) this.fillRect(cx + gx * scale, y + gy * scale, scale, scale, color);
          }
        }
      }
      cx += (GLYPH_WIDTH + 1) * scale;
    }
    return cx - x;
  }

  /** Text rotated 90 degrees counter-clockwise (for a y-axis title), starting at the bottom. */
  textUp(x: number, y: number, text: string, color: Rgb, scale = 2): void {
    let cy = y;
    for (const ch of text) {
      const bits = glyph(ch) ?? glyph("?");
      if (bits) {
        for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
          for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
            if (bits[gy * GLYPH_WIDTH + gx]) this.fillRect(x + gy * scale, cy - (gx + 1) * scale, scale, scale, color);
          }
        }
      }
      cy -= (GLYPH_WIDTH + 1) * scale;
    }
  }
}

export function textWidth(text: string, scale = 2): number {
  return [...text].length * (GLYPH_WIDTH + 1) * scale - scale;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "latin1");
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Encode as an 8-bit RGB PNG (filter "Sub" on every row, which suits flat chart colours). */
export function encodePng(raster: Raster): Buffer {
  const { width, height, pixels } = raster;
  const stride = width * 3;
  const filtered = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (stride + 1);
    filtered[row] = 1;
    for (let i = 0; i < stride; i++) {
      const cur = pixels[y * stride + i] ?? 0;
      const left = i >= 3 ? (pixels[y * stride + i - 3] ?? 0) : 0;
      filtered[row + 1 + i] = (cur - left) & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  ihdr[10] = 0; // deflate
  ihdr[11] = 0; // adaptive filtering
  ihdr[12] = 0; // no interlace
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(filtered, { level: 9 })),
    chunk("IEND", new Uint8Array(0)),
  ]);
}
