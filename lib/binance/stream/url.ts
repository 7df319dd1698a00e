/**
 * Where the public mark price stream lives and how its URLs are built (shared spec
 * binance-mark-price-stream.md): raw streams at `/ws/<stream>`, combined ones at
 * `/stream?streams=a/b`, stream names in lower case (`btcusd_perp@markPrice@1s`).
 */
import { isLoopback } from "../../core/parse.js";

/** COIN-M's market stream host. */
export const COINM_STREAM_URL = "wss://dstream.binance.com";
/** USD-M's market stream host (for USD-M symbols, once that product is read). */
export const USDM_STREAM_URL = "wss://fstream.binance.com";

/** The problem with a stream base URL, or its origin: wss, or plain ws on loopback only. */
export function checkStreamUrl(text: string): { readonly origin: string } | { readonly problem: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { problem: `is not a URL: "${text}"` };
  }
  if (url.protocol !== "wss:" && !(url.protocol === "ws:" && isLoopback(url.hostname))) {
    return { problem: "must use wss (plain ws is allowed only on loopback)" };
  }
  // `new URL("wss://host").origin` is "null" for non-special schemes in some runtimes: build it.
  return { origin: `${url.protocol}//${url.host}` };
}

/** The 1-second mark price stream of one symbol. */
export function markPriceStream(symbol: string): string {
  return `${symbol.toLowerCase()}@markPrice@1s`;
}

/** One connection for every stream: combined, so each message names its stream. */
export function combinedStreamUrl(origin: string, streams: readonly string[]): string {
  return `${origin}/stream?streams=${streams.join("/")}`;
}
