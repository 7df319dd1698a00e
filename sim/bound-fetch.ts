/**
 * A `fetch` whose connections leave from a chosen local address (127.0.0.2, 127.0.0.3, ...), so a
 * simulation can give each shard of monitors its own "egress IP" against the loopback exchange,
 * which counts request weight per client IP as Binance does. Plain HTTP only (loopback).
 */
import { Agent, request } from "node:http";

export function fetchFromAddress(localAddress: string): typeof fetch {
  // Keep-alive, like the global fetch's pool: one TLS-less connection per concurrent request.
  const agent = new Agent({ keepAlive: true, localAddress });
  const bound = (input: string | URL | Request, init?: RequestInit): Promise<Response> =>
    new Promise((resolve, reject) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const headers = Object.fromEntries(new Headers(init?.headers).entries());
      const req = request(
        url,
        { method: init?.method ?? "GET", headers, agent, ...(init?.signal ? { signal: init.signal } : {}) },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", reject);
          res.on("end", () => {
            const out = new Headers();
            for (const [k, v] of Object.entries(res.headers)) {
              if (v !== undefined) out.set(k, Array.isArray(v) ? v.join(", ") : v);
            }
            resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 500, headers: out }));
          });
        },
      );
      req.on("error", reject);
      req.end();
    });
  return bound as typeof fetch;
}
