/**
 * SNS subscription filter policies (scope MessageAttributes), evaluated as SNS does for the
 * operators this project uses or may use: exact string and number values, `numeric` ranges,
 * `anything-but`, `exists` and `prefix`, AND across keys and OR within a key's list, plus `$or`.
 * Rules from the SNS developer guide ("Subscription filter policies", "Numeric value matching",
 * "anything-but", "Attribute key matching"):
 *   - every key of the policy must match; a message without the attribute fails the key, except
 *     `{"exists": false}`;
 *   - numeric conditions and plain numbers match only attributes of type Number; strings match
 *     String attributes (and each element of a String.Array);
 *   - `anything-but` needs the attribute present and matches when no listed value equals it.
 * An operator outside this subset throws, so a policy this evaluator cannot judge never passes.
 */

export interface MessageAttribute {
  readonly DataType: string;
  readonly StringValue?: string;
}

export type MessageAttributes = Readonly<Record<string, MessageAttribute>>;

export class UnsupportedFilterError extends Error {}

type Condition = unknown;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function baseType(attribute: MessageAttribute): string {
  return attribute.DataType.split(".")[0] === "String" && attribute.DataType.startsWith("String.Array")
    ? "String.Array"
    : (attribute.DataType.split(".")[0] ?? "");
}

/** The attribute's values as SNS compares them: one string or number, or a String.Array's elements. */
function values(attribute: MessageAttribute): Array<string | number> {
  const text = attribute.StringValue ?? "";
  const type = baseType(attribute);
  if (type === "Number") return [Number(text)];
  if (type === "String.Array") {
    try {
      const parsed: unknown = JSON.parse(text);
      return Array.isArray(parsed) ? parsed.filter((v) => typeof v === "string" || typeof v === "number") : [];
    } catch {
      return [];
    }
  }
  return type === "String" ? [text] : [];
}

function numericMatch(ops: unknown, value: number): boolean {
  if (!Array.isArray(ops) || ops.length % 2 !== 0 || ops.length === 0) {
    throw new UnsupportedFilterError(`bad numeric condition ${JSON.stringify(ops)}`);
  }
  for (let i = 0; i < ops.length; i += 2) {
    const op = ops[i];
    const bound = ops[i + 1];
    if (typeof bound !== "number") throw new UnsupportedFilterError(`numeric bound must be a number`);
    const ok =
      op === "="
        ? value === bound
        : op === ">"
          ? value > bound
          : op === ">="
            ? value >= bound
            : op === "<"
              ? value < bound
              : op === "<="
                ? value <= bound
                : undefined;
    if (ok === undefined) throw new UnsupportedFilterError(`unknown numeric operator ${String(op)}`);
    if (!ok) return false;
  }
  return true;
}

function valueMatches(condition: Condition, value: string | number): boolean {
  if (typeof condition === "string") return typeof value === "string" && value === condition;
  if (typeof condition === "number") return typeof value === "number" && value === condition;
  if (!isObject(condition)) throw new UnsupportedFilterError(`unsupported condition ${JSON.stringify(condition)}`);
  const [op, arg] = Object.entries(condition)[0] ?? [];
  switch (op) {
    case "numeric":
      return typeof value === "number" && numericMatch(arg, value);
    case "prefix":
      return typeof value === "string" && typeof arg === "string" && value.startsWith(arg);
    case "anything-but": {
      const excluded = Array.isArray(arg) ? arg : [arg];
      return !excluded.some((x) => valueMatches(x, value));
    }
    default:
      throw new UnsupportedFilterError(`unsupported operator ${String(op)}`);
  }
}

function keyMatches(conditions: unknown, attribute: MessageAttribute | undefined): boolean {
  if (!Array.isArray(conditions)) throw new UnsupportedFilterError("each key's value must be an array of conditions");
  return conditions.some((c) => {
    if (isObject(c) && "exists" in c) return (attribute !== undefined) === (c.exists === true);
    if (attribute === undefined) return false;
    return values(attribute).some((v) => valueMatches(c, v));
  });
}

/** Does a message with `attributes` pass `policy`? No policy passes everything. */
export function matchesFilterPolicy(policy: unknown, attributes: MessageAttributes): boolean {
  if (policy === undefined || policy === null) return true;
  if (!isObject(policy)) throw new UnsupportedFilterError("a filter policy is a JSON object");
  return Object.entries(policy).every(([key, conditions]) => {
    if (key === "$or") {
      if (!Array.isArray(conditions)) throw new UnsupportedFilterError("$or takes an array of policies");
      return conditions.some((p) => matchesFilterPolicy(p, attributes));
    }
    return keyMatches(conditions, attributes[key]);
  });
}
