/**
 * DynamoDB item size by the documented rules ("DynamoDB item sizes and formats",
 * CapacityUnitCalculations): attribute name bytes plus value bytes; strings by UTF-8 length;
 * numbers 1 byte per two significant digits plus 1; null and boolean 1 byte; lists and maps 3
 * bytes plus 1 byte per element plus their contents. Writes are billed per started 1 KB, reads
 * per started 4 KB; storage adds 100 bytes of index overhead per item.
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";

const utf8 = (text: string) => Buffer.byteLength(text, "utf8");

/** Significant digits of a DynamoDB number: leading and trailing zeros trimmed. */
export function significantDigits(text: string): number {
  const digits = text.replace(/^[+-]/, "").toLowerCase().split("e")[0]?.replace(".", "") ?? "";
  const trimmed = digits.replace(/^0+/, "").replace(/0+$/, "");
  return Math.max(1, trimmed.length);
}

export function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return Math.ceil(significantDigits(value.N) / 2) + 1;
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((n, s) => n + utf8(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((n, s) => n + Math.ceil(significantDigits(s) / 2) + 1, 0);
  if (value.BS !== undefined) return value.BS.reduce((n, b) => n + b.length, 0);
  if (value.L !== undefined) return 3 + value.L.reduce((n, v) => n + 1 + valueSize(v), 0);
  if (value.M !== undefined) {
    return 3 + Object.entries(value.M).reduce((n, [name, v]) => n + 1 + utf8(name) + valueSize(v), 0);
  }
  throw new Error(`unsupported attribute value ${JSON.stringify(value)}`);
}

export function itemSize(item: Readonly<Record<string, AttributeValue>>): number {
  return Object.entries(item).reduce((n, [name, v]) => n + utf8(name) + valueSize(v), 0);
}

/** Write request units for one standard write of an item this size. */
export const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
/** Read request units: strongly consistent 1 per 4 KB, eventually consistent half that. */
export const readUnits = (bytes: number, consistent: boolean) =>
  Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);
/** Bytes billed for storage: the item plus DynamoDB's 100-byte per-item index overhead. */
export const storedBytes = (bytes: number) => bytes + 100;
