/**
 * The loopback exchange counts request weight per client IP, as Binance does; a client bound to
 * another loopback address (sim/bound-fetch.ts) has its own budget. The sharding simulation in
 * the bench (docs/scaling.md) rests on this.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchFromAddress } from "../../sim/bound-fetch.js";
import { LoopbackExchange } from "../../sim/exchange/exchange.js";

let exchange: LoopbackExchange;
let baseUrl: string;

beforeAll(async () => {
  exchange = new LoopbackExchange({ keys: [], account: () => "{}", weightLimit: 3 });
  baseUrl = await exchange.start();
});
afterAll(() => exchange.stop());

describe("per-IP request weight on the loopback exchange", () => {
  it("refuses one IP past its limit with 429 while another IP still gets answers", async () => {
    const a = fetchFromAddress("127.0.0.2");
    const b = fetchFromAddress("127.0.0.3");
    const statuses: number[] = [];
    for (const f of [a, a, a, a, b]) statuses.push((await f(`${baseUrl}/dapi/v1/time`)).status);
    // If the minute rolled over mid-test the fourth call is answered; the per-IP split still shows.
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses[4]).toBe(200);
    expect(exchange.requests.map((r) => r.ip)).toEqual([
      "127.0.0.2",
      "127.0.0.2",
      "127.0.0.2",
      "127.0.0.2",
      "127.0.0.3",
    ]);
    if (exchange.usedWeight("127.0.0.2") === 3) expect(statuses[3]).toBe(429);
    expect(exchange.usedWeight("127.0.0.3")).toBeLessThanOrEqual(1);
  });

  it("reports each IP's own used weight in the header", async () => {
    const c = fetchFromAddress("127.0.0.4");
    const res = await c(`${baseUrl}/dapi/v1/time`);
    expect(res.headers.get("x-mbx-used-weight-1m")).toBe(String(exchange.usedWeight("127.0.0.4")));
  });
});
