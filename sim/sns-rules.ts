/**
 * What SNS Publish refuses for good (InvalidParameter), shared by the loopback SNS stand-in and the
 * fault rig's client middleware: subject length and characters, body size, the JSON message
 * structure, and message attributes (names, types, values, count). From the SNS API reference
 * (Publish, MessageAttributeValue) and developer guide ("Amazon SNS message attributes").
 */

export interface PublishInput {
  readonly Subject?: string | undefined;
  readonly Message?: string | undefined;
  readonly MessageStructure?: string | undefined;
  readonly MessageAttributes?:
    | Readonly<Record<string, { readonly DataType?: string | undefined; readonly StringValue?: string | undefined }>>
    | undefined;
}

const MAX_BYTES = 262_144;
/** Delivery to SQS (raw) and many endpoints carries at most 10; we stay within it everywhere. */
export const MAX_MESSAGE_ATTRIBUTES = 10;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]{1,256}$/;
const DATA_TYPE = /^(String|Number|Binary|String\.Array)(\.[A-Za-z0-9_.-]+)?$/;
// Number: up to 38 digits of precision, magnitude 10^-128 to 10^+126.
const NUMBER = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

function attributeProblem(name: string, value: { DataType?: string | undefined; StringValue?: string | undefined }) {
  if (!ATTRIBUTE_NAME.test(name) || name.startsWith(".") || name.endsWith(".") || name.includes("..")) {
    return `message attribute name "${name}" is invalid`;
  }
  if (/^(aws|amazon)\./i.test(name)) return `message attribute name "${name}" uses a reserved prefix`;
  const type = value.DataType ?? "";
  if (!DATA_TYPE.test(type)) return `message attribute "${name}" has an invalid data type "${type}"`;
  const text = value.StringValue;
  if (text === undefined || text === "") return `message attribute "${name}" must contain a non-empty value`;
  if (type.startsWith("Number")) {
    const digits = text
      .replace(/^-/, "")
      .replace(/[eE].*$/, "")
      .replace(".", "")
      .replace(/^0+/, "");
    const n = Number(text);
    if (
      !NUMBER.test(text) ||
      !Number.isFinite(n) ||
      digits.length > 38 ||
      (n !== 0 && Math.abs(Math.log10(Math.abs(n))) > 126)
    ) {
      return `message attribute "${name}" with type Number has an invalid value "${text}"`;
    }
  }
  if (type.startsWith("String.Array")) {
    try {
      if (!Array.isArray(JSON.parse(text))) throw new Error();
    } catch {
      return `message attribute "${name}" with type String.Array must be a JSON array`;
    }
  }
  return undefined;
}

export function snsPublishProblem(input: PublishInput): string | undefined {
  const subject = input.Subject;
  if (subject !== undefined) {
    if (subject.length >= 100) return `Subject must be less than 100 characters (got ${subject.length})`;
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what SNS refuses.
    if (/[\u0000-\u001f\u007f]/.test(subject)) return "Subject must not contain line breaks or control characters";
  }
  const message = input.Message ?? "";
  if (message === "") return "Empty message";
  let bytes = Buffer.byteLength(message, "utf8");
  const attributes = Object.entries(input.MessageAttributes ?? {});
  if (attributes.length > MAX_MESSAGE_ATTRIBUTES) return `more than ${MAX_MESSAGE_ATTRIBUTES} message attributes`;
  for (const [name, value] of attributes) {
    const problem = attributeProblem(name, value);
    if (problem) return problem;
    bytes +=
      Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? "") + Buffer.byteLength(value.StringValue ?? "");
  }
  if (bytes > MAX_BYTES) return "Message too long";
  if (input.MessageStructure === "json") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return "Message Structure - JSON message body failed to parse";
    }
    const bodies = parsed as Record<string, unknown>;
    if (typeof bodies.default !== "string") return "Message Structure - No default entry in JSON message body";
    if (Object.values(bodies).some((v) => typeof v !== "string")) return "Message Structure - values must be strings";
  }
  return undefined;
}
