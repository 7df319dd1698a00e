/**
 * Reading an HTTP body from outside without trusting its size. `res.text()` holds the whole body
 * however large it is: a 100 MB answer took 393 MB of RSS in a 256 MB function (issue 17). This
 * reads the stream chunk by chunk and cancels it as soon as it passes the cap, so a body costs
 * at most the cap (plus one chunk) whatever the server sends. Slow bodies are the caller's
 * timeout's job: the fetch's abort signal errors the stream mid-read.
 */
import { GuardError } from "./errors.js";

/** The body passed `limitBytes`; reading stopped there. Carries no byte of the body. */
export class BodyTooLargeError extends GuardError {
  readonly kind = "body-too-large";
  constructor(readonly limitBytes: number) {
    super(`the answer's body is larger than ${limitBytes} bytes; reading stopped there`);
  }
}

/** The body as UTF-8 text, or BodyTooLargeError as soon as it passes `limitBytes`. */
export async function readTextCapped(res: Response, limitBytes: number): Promise<string> {
  // A declared length over the cap is refused before a byte is read.
  const declared = Number(res.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limitBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new BodyTooLargeError(limitBytes);
  }
  if (!res.body) return "";
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > limitBytes) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLargeError(limitBytes);
    }
    parts.push(decoder.decode(value, { stream: true }));
  }
  parts.push(decoder.decode());
  return parts.join("");
}
