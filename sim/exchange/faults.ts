/** Scripted failures the loopback exchange plays instead of normal processing, on demand. */

/** A scripted reply instead of normal processing. */
export type Fault =
  | {
      readonly kind: "status";
      readonly status: number;
      readonly body?: string;
      readonly headers?: Record<string, string>;
    }
  | { readonly kind: "reset" }
  | { readonly kind: "hang"; readonly ms: number }
  | { readonly kind: "body"; readonly body: string }
  | {
      /**
       * A 200 whose body is `bytes` of `fill` (a JSON string's inside: `{"assets":"xxxx…`), written
       * in `chunkBytes` pieces `delayMs` apart: a huge body, or a slow drip. No content-length, as
       * a streaming proxy sends it. The exchange records how much it wrote before the client left.
       */
      readonly kind: "stream";
      readonly bytes: number;
      readonly chunkBytes?: number;
      readonly delayMs?: number;
    };

/** Which requests a queued fault plays on; absent fields match any. */
export interface FaultMatch {
  readonly apiKey?: string;
  readonly path?: string;
  /** How many matching requests it plays on. @default 1 */
  readonly times?: number;
}

/** Faults in the order they were queued; each plays once on the first request it matches. */
export class FaultQueue {
  private readonly faults: { apiKey?: string; path?: string; fault: Fault }[] = [];

  inject(fault: Fault, match: FaultMatch = {}): void {
    for (let i = 0; i < (match.times ?? 1); i++) {
      this.faults.push({
        ...(match.apiKey ? { apiKey: match.apiKey } : {}),
        ...(match.path ? { path: match.path } : {}),
        fault,
      });
    }
  }

  clear(): void {
    this.faults.length = 0;
  }

  /** The first fault for this request, removed from the queue. */
  take(apiKey: string | undefined, path: string): Fault | undefined {
    // A fault without a path plays on COIN-M (dapi): spot and USD-M are other hosts in reality,
    // and a product read beside COIN-M must not take a fault a test meant for it.
    const i = this.faults.findIndex(
      (f) => (!f.apiKey || f.apiKey === apiKey) && (f.path ? f.path === path : path.startsWith("/dapi/")),
    );
    if (i < 0) return undefined;
    return this.faults.splice(i, 1)[0]?.fault;
  }
}
