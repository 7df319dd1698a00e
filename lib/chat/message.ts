/**
 * What the chat relay says, built from what SNS delivered: the subject, the text the email
 * subscribers get (renderAlert / renderAlarm, so chat keeps up as alerts gain fields) and the
 * routing attributes. A message the relay cannot interpret still goes out as subject + raw text.
 */
import { type AlarmEvent, renderAlarm } from "../alerts/alarm-notice.js";
import type { AlertAttributes } from "../alerts/attributes.js";
import { type Alert, renderAlert } from "../alerts/messages.js";

export interface ChatMessage {
  readonly subject: string;
  /** Plain text, lines separated by "\n". */
  readonly text: string;
  /** Undefined when the message carried no attributes (not published by coinm-guard). */
  readonly attributes: AlertAttributes | undefined;
  /** The parsed default body, for the generic webhook's JSON. */
  readonly data: unknown;
}

/** The body `coinm-guard test-alert` publishes as the default (non-email, non-SMS) message. */
export interface TestNotice {
  readonly type: "test";
  readonly severity: string;
  readonly at: string;
  readonly text: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The text for a known body type; undefined when the body is not one of ours. */
function render(data: unknown): { subject: string; text: string } | undefined {
  if (!isObject(data)) return undefined;
  try {
    switch (data.type) {
      case "margin":
      case "health":
      case "key": {
        // Our own publisher wrote it (the topic admits only the stack's functions); a body
        // missing fields renders with "undefined" in it rather than being dropped.
        const r = renderAlert(data as unknown as Alert);
        return { subject: r.subject, text: r.email };
      }
      case "alarm": {
        const r = renderAlarm(data as unknown as AlarmEvent);
        return { subject: r.subject, text: r.email };
      }
      case "test":
        return typeof data.text === "string" ? { subject: "", text: data.text } : undefined;
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

export function chatMessage(
  subject: string | undefined,
  body: string,
  attributes: AlertAttributes | undefined,
): ChatMessage {
  const data = parse(body);
  const rendered = render(data);
  return {
    subject: (subject || rendered?.subject || "coinm-guard").trim(),
    text: rendered?.text ?? body,
    attributes,
    data: data ?? body,
  };
}
