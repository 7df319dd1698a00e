/**
 * The mark price stream client (lib/binance/stream/) against the loopback stream host
 * (sim/mark-stream.ts) over real WebSocket connections: Node's own WebSocket client (on Node 20
 * through --experimental-websocket, vitest.config.ts) and an RFC 6455 server on 127.0.0.1.
 */
import { afterEach, describe, expect, it } from "vitest";
import { MarkPriceStream, runtimeSocketFactory } from "../../lib/binance/stream/connection.js";
import type { MarkUpdate } from "../../lib/binance/stream/messages.js";
import { checkStreamUrl } from "../../lib/binance/stream/url.js";
import { createLogger } from "../../lib/core/log.js";
import { MarkStreamServer } from "../../sim/mark-stream.js";

const log = createLogger({ level: "error", sink: () => {} });
const marks: Record<string, number> = { BTCUSD_PERP: 60_000, ETHUSD_PERP: 3_000 };
let server: MarkStreamServer | undefined;
let stream: MarkPriceStream | undefined;

afterEach(async () => {
  stream?.close();
  stream = undefined;
  await server?.stop();
  server = undefined;
});

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function startBoth(options: { staleMs?: number; symbols?: string[] } = {}) {
  server = new MarkStreamServer({ marks: (s) => marks[s], intervalMs: 50, pingIntervalMs: 60_000 });
  const origin = await server.start();
  const received: MarkUpdate[] = [];
  stream = new MarkPriceStream({
    origin,
    symbols: options.symbols ?? ["BTCUSD_PERP"],
    onMark: (u) => received.push(u),
    log,
    staleMs: options.staleMs ?? 1000,
    backoffBaseMs: 20,
    backoffCapMs: 100,
  });
  return { server, stream, received };
}

describe("mark price stream", () => {
  it("runs on this Node's own WebSocket", () => {
    expect(runtimeSocketFactory()).toBeDefined();
  });

  it("receives each subscribed symbol's mark every interval, from the marks the exchange uses", async () => {
    // Prepare
    const { server, stream, received } = await startBoth();

    // Act
    expect(stream.start()).toBe(true);
    await until(() => received.length >= 2);
    marks.BTCUSD_PERP = 58_500.5;
    await until(() => received.some((u) => u.markPrice === "58500.50000000"));
    stream.subscribe(["ETHUSD_PERP"]);
    await until(() => received.some((u) => u.symbol === "ETHUSD_PERP"));

    // Assess
    expect(received[0]?.symbol).toBe("BTCUSD_PERP");
    expect(received[0]?.eventTime).toBeGreaterThan(0);
    expect(server.requests).toContainEqual({ method: "SUBSCRIBE", params: ["ethusd_perp@markPrice@1s"], id: 1 });
    expect(stream.live()).toBe(true);
    expect(stream.stats.malformed).toBe(0);
    marks.BTCUSD_PERP = 60_000;
  });

  it("answers the server's pings with pongs", async () => {
    const { server, stream, received } = await startBoth();
    stream.start();
    await until(() => received.length > 0);
    server.pingAll();
    await until(() => server.pongs > 0);
    expect(server.pongs).toBe(1);
  });

  it("drops and counts malformed and unexpected messages, and keeps streaming", async () => {
    // Prepare
    const { server, stream, received } = await startBoth();
    stream.start();
    await until(() => received.length > 0);

    // Act
    for (const raw of [
      "not json",
      '{"e":"markPriceUpdate","E":1,"s":"BTCUSD_PERP","p":"-5"}',
      '{"e":"markPriceUpdate","E":1,"s":"BTCUSD_PERP","p":"NaN"}',
      '{"e":"aggTrade","E":1,"s":"BTCUSD_PERP","p":"1"}',
      '{"e":"markPriceUpdate","E":1,"s":"DOGEUSD_PERP","p":"0.1"}',
      `{"pad":"${"x".repeat(20_000)}"}`,
    ]) {
      server.sendRaw(raw);
    }
    const before = received.length;
    await until(() => stream.stats.malformed >= 6 && received.length > before + 1);

    // Assess
    expect(stream.stats.malformed).toBe(6);
    expect(received.every((u) => u.symbol === "BTCUSD_PERP" && u.mark.units > 0n)).toBe(true);
  });

  it("replaces a connection gone silent, and one dropped, with backoff", async () => {
    // Prepare
    const { server, stream, received } = await startBoth({ staleMs: 300 });
    stream.start();
    await until(() => received.length > 0);

    // Act: silent for 1 s while the connection stays open, then dropped, then refused twice.
    server.silence(1000);
    await until(() => stream.stats.reconnects >= 1, 3000);
    await until(() => Date.now() - stream.stats.lastMarkAt < 100 && server.connections >= 2, 5000);
    server.refuseUpgrades(2);
    server.dropAll();
    const count = received.length;
    await until(() => received.length > count + 2, 5000);

    // Assess
    expect(stream.stats.reconnects).toBeGreaterThanOrEqual(2);
    expect(server.connections).toBeGreaterThanOrEqual(3);
    expect(stream.live()).toBe(true);
  });

  it("serves raw /ws/<stream> connections unwrapped and combined ones wrapped", async () => {
    // Prepare
    server = new MarkStreamServer({ marks: (s) => marks[s], intervalMs: 50 });
    const origin = await server.start();
    const factory = runtimeSocketFactory();
    if (!factory) throw new Error("no WebSocket");
    const frames = (url: string) =>
      new Promise<string>((resolve) => {
        const ws = factory(url);
        ws.addEventListener("message", (e) => {
          resolve(String(e.data));
          ws.close();
        });
      });

    // Act
    const raw = JSON.parse(await frames(`${origin}/ws/btcusd_perp@markPrice@1s`)) as Record<string, unknown>;
    const combined = JSON.parse(await frames(`${origin}/stream?streams=ethusd_perp@markPrice@1s`)) as {
      stream: string;
      data: Record<string, unknown>;
    };

    // Assess
    expect(raw).toMatchObject({ e: "markPriceUpdate", s: "BTCUSD_PERP", p: "60000.00000000" });
    expect(combined.stream).toBe("ethusd_perp@markPrice@1s");
    expect(combined.data).toMatchObject({ e: "markPriceUpdate", s: "ETHUSD_PERP", p: "3000.00000000" });
  });

  it("without a WebSocket in the runtime it says so and does not start (signed re-reads only)", () => {
    const lines: string[] = [];
    const quiet = new MarkPriceStream({
      origin: "ws://127.0.0.1:9",
      symbols: ["BTCUSD_PERP"],
      onMark: () => {},
      log: createLogger({ level: "warn", sink: (l) => lines.push(l) }),
      socket: null,
    });
    expect(quiet.available).toBe(false);
    expect(quiet.start()).toBe(false);
    expect(lines.join("\n")).toContain("no WebSocket");
  });
});

describe("stream URL", () => {
  it("takes wss anywhere and plain ws on loopback only", () => {
    expect(checkStreamUrl("wss://dstream.binance.com")).toEqual({ origin: "wss://dstream.binance.com" });
    expect(checkStreamUrl("ws://127.0.0.1:4567/x")).toEqual({ origin: "ws://127.0.0.1:4567" });
    expect(checkStreamUrl("ws://dstream.binance.com")).toHaveProperty("problem");
    expect(checkStreamUrl("https://dstream.binance.com")).toHaveProperty("problem");
    expect(checkStreamUrl("not a url")).toHaveProperty("problem");
  });
});
