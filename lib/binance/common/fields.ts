/** Field readers shared by the response parsers: one rule for what counts as a Binance decimal. */
import { parseDecimal } from "../../risk/decimal.js";
import type { PositionSide } from "../../risk/positions.js";

/**
 * A decimal-string field of a response object. Absent (undefined, null or "") gives undefined,
 * or a failure when `required`; anything that is not a decimal string is a failure.
 */
export function decimalField(
  obj: Record<string, unknown>,
  field: string,
  where: string,
  required: boolean,
  fail: (detail: string) => never,
): string | undefined {
  const value = obj[field];
  if (value === undefined || value === null || value === "") {
    if (required) fail(`${where}.${field} is missing`);
    return undefined;
  }
  if (typeof value !== "string" || parseDecimal(value) === undefined) fail(`${where}.${field} is not a decimal string`);
  return value;
}

export function positionSide(value: unknown, where: string, fail: (detail: string) => never): PositionSide {
  const side = value ?? "BOTH";
  if (side !== "BOTH" && side !== "LONG" && side !== "SHORT") fail(`${where}.positionSide is invalid`);
  return side;
}

/** Why a body is not JSON, in words a person can act on (an HTML page usually means a proxy or outage). */
export function notJsonDetail(body: string): string {
  return /^\s*</.test(body) ? "got an HTML page instead of JSON" : `body is not valid JSON (${body.length} bytes)`;
}

/** A response body as JSON, or a failure that says why it is not (for every product's parsers). */
export function jsonBody(body: string, fail: (detail: string) => never): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return fail(notJsonDetail(body));
  }
}
