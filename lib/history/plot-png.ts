/**
 * The chart as a PNG: the same SVG the HTML page shows, rasterized by resvg (a maintained SVG
 * renderer, loaded only when a PNG is asked for). Text is set in DejaVu Sans from the
 * dejavu-fonts-ttf package rather than whatever fonts the machine has, so the image is the same
 * everywhere and a machine without fonts still gets labels.
 */
import { createRequire } from "node:module";
import type { PlotModel } from "./plot.js";
import { renderPlotSvg, SVG_WIDTH } from "./plot-svg.js";

export interface PngOptions {
  /** Output width in pixels; the height follows the SVG's aspect ratio. @default 1500 */
  readonly width?: number;
}

const FONT_FAMILY = "DejaVu Sans";

function fontFiles(): string[] {
  const require = createRequire(import.meta.url);
  return ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"].map((f) => require.resolve(`dejavu-fonts-ttf/ttf/${f}`));
}

export interface Raster {
  readonly width: number;
  readonly height: number;
  /** RGBA, row by row. */
  readonly pixels: Buffer;
  readonly png: Buffer;
}

/** Rasterize an SVG string at `width` pixels wide: PNG bytes and the pixels they hold. */
export async function rasterizeSvg(svg: string, width: number): Promise<Raster> {
  const { Resvg } = await import("@resvg/resvg-js");
  const resvg = new Resvg(svg, {
    fitTo: { mode: "width", value: width },
    background: "#ffffff",
    font: {
      loadSystemFonts: false,
      fontFiles: fontFiles(),
      defaultFontFamily: FONT_FAMILY,
      sansSerifFamily: FONT_FAMILY,
    },
  });
  const image = resvg.render();
  return { width: image.width, height: image.height, pixels: image.pixels, png: image.asPng() };
}

export async function renderPlotPng(model: PlotModel, options: PngOptions = {}): Promise<Buffer> {
  return (await rasterizeSvg(renderPlotSvg(model), options.width ?? Math.round(SVG_WIDTH * 1.5))).png;
}
