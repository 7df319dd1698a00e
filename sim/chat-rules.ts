/**
 * What the chat platforms refuse, checked by the chat stand-ins (sim/chat-standins.ts) as the
 * real APIs check it: Telegram's MarkdownV2 parse ("can't parse entities") and Slack's block
 * limits (invalid_blocks).
 */

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Length in characters (code points), as the platforms count it. */
export const strLen = (v: unknown) => (typeof v === "string" ? [...v].length : 0);

const TG_RESERVED = new Set([..."_*[]()~`>#+-=|{}.!"]);

/**
 * Telegram's MarkdownV2 parse, for the subset a sender uses without links: escapes, bold, italic,
 * underline, strikethrough, spoiler, inline code, and ">" blockquotes at a line start. Returns
 * Telegram's error text, or the text as shown (entities removed) when it parses.
 */
export function parseMarkdownV2(text: string): { ok: true; plain: string } | { ok: false; error: string } {
  const open: string[] = [];
  let plain = "";
  const names: Record<string, string> = {
    "*": "Bold",
    _: "Italic",
    __: "Underline",
    "~": "Strikethrough",
    "||": "Spoiler",
  };
  const toggle = (marker: string) => {
    if (open[open.length - 1] === marker) open.pop();
    else if (open.includes(marker)) return false;
    else open.push(marker);
    return true;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    const offset = Buffer.byteLength(text.slice(0, i));
    if (c === "\\") {
      const next = text.charCodeAt(i + 1);
      if (Number.isNaN(next) || next < 1 || next > 126) {
        return {
          ok: false,
          error: `Bad Request: can't parse entities: Character '\\' is reserved and must be escaped with the preceding '\\'`,
        };
      }
      plain += text[i + 1];
      i++;
      continue;
    }
    if (c === "`") {
      const end = text.indexOf("`", i + 1);
      if (end < 0)
        return {
          ok: false,
          error: `Bad Request: can't parse entities: Can't find end of Code entity at byte offset ${offset}`,
        };
      plain += text.slice(i + 1, end);
      i = end;
      continue;
    }
    if (c === "_" && text[i + 1] === "_") {
      if (!toggle("__"))
        return {
          ok: false,
          error: `Bad Request: can't parse entities: Can't find end of Underline entity at byte offset ${offset}`,
        };
      i++;
      continue;
    }
    if (c === "|" && text[i + 1] === "|") {
      toggle("||");
      i++;
      continue;
    }
    if (c === "*" || c === "_" || c === "~") {
      if (!toggle(c))
        return {
          ok: false,
          error: `Bad Request: can't parse entities: Can't find end of ${names[c]} entity at byte offset ${offset}`,
        };
      continue;
    }
    if (c === ">" && (i === 0 || text[i - 1] === "\n")) continue;
    if (TG_RESERVED.has(c)) {
      return {
        ok: false,
        error: `Bad Request: can't parse entities: Character '${c}' is reserved and must be escaped with the preceding '\\'`,
      };
    }
    plain += c;
  }
  const unclosed = open[0];
  if (unclosed) {
    return {
      ok: false,
      error: `Bad Request: can't parse entities: Can't find end of ${names[unclosed]} entity at byte offset 0`,
    };
  }
  return { ok: true, plain };
}

/** Whether Slack accepts one block of a message (types and text limits the relay uses). */
export function slackBlockOk(block: unknown): boolean {
  if (!isObject(block)) return false;
  const t = block.text;
  switch (block.type) {
    case "header":
      return isObject(t) && t.type === "plain_text" && strLen(t.text) > 0 && strLen(t.text) <= 150;
    case "section":
      return (
        isObject(t) && (t.type === "mrkdwn" || t.type === "plain_text") && strLen(t.text) > 0 && strLen(t.text) <= 3000
      );
    case "context":
      return (
        Array.isArray(block.elements) &&
        block.elements.length > 0 &&
        block.elements.length <= 10 &&
        block.elements.every(
          (e) => isObject(e) && (e.type === "mrkdwn" || e.type === "plain_text") && strLen(e.text) > 0,
        )
      );
    case "divider":
      return true;
    default:
      return false;
  }
}
