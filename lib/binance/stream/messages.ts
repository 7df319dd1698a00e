/**
 * Messages of the mark price stream, checked once here (the boundary): a `markPriceUpdate` event,
 * raw or wrapped by a combined stream as `{"stream": ..., "data": ...}`, becomes a MarkUpdate;
 * a subscription reply is recognised; anything else (too big, not JSON, another event, a field
 * missing or not a positive decimal) is "malformed": dropped and counted by the caller, never
 * trusted and never fatal.
 */
import { type Decimal, parseDecimal } from "../../risk/decimal.js";

/** No mark price event comes near this; a bigger frame is not read at all. */
export const MAX_MESSAGE_BYTES = 16_384;

/** COIN-M and USD-M symbols as the stream names them (upper case in `s`). */
const SYMBOL = /^[A-Z0-9_]{1,32}$/;

export interface MarkUpdate {
  readonly symbol: string;
  /** The mark price, Binance's raw decimal string. */
  readonly markPrice: string;
  readonly mark: Decimal;
  /** Event time (`E`, ms since epoch, exchange clock). */
  readonly eventTime: number;
}

export type StreamMessage =
  | { readonly kind: "mark"; readonly update: MarkUpdate }
  | { readonly kind: "reply"; readonly id: number }
  | { readonly kind: "malformed"; readonly reason: string };

const malformed = (reason: string): StreamMessage => ({ kind: "malformed", reason });

/** Parse one text frame of the stream. */
export function parseStreamMessage(text: string): StreamMessage {
  if (text.length > MAX_MESSAGE_BYTES) return malformed("too large");
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return malformed("not JSON");
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return malformed("not an object");
  const top = raw as Record<string, unknown>;
  // {"result": null, "id": 1}: the answer to SUBSCRIBE.
  if ("id" in top && "result" in top) {
    return typeof top.id === "number" ? { kind: "reply", id: top.id } : malformed("reply without a numeric id");
  }
  const data = "stream" in top && "data" in top ? top.data : top;
  if (typeof data !== "object" || data === null || Array.isArray(data)) return malformed("data is not an object");
  const event = data as Record<string, unknown>;
  if (event.e !== "markPriceUpdate") return malformed(`unexpected event ${JSON.stringify(event.e)?.slice(0, 40)}`);
  const { s: symbol, p: markPrice, E: eventTime } = event;
  if (typeof symbol !== "string" || !SYMBOL.test(symbol)) return malformed("bad symbol");
  if (typeof markPrice !== "string") return malformed("mark price is not a string");
  const mark = parseDecimal(markPrice);
  if (!mark || mark.units <= 0n) return malformed("mark price is not a positive decimal");
  if (typeof eventTime !== "number" || !Number.isFinite(eventTime) || eventTime <= 0) {
    return malformed("bad event time");
  }
  return { kind: "mark", update: { symbol, markPrice, mark, eventTime } };
}
