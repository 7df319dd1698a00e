/** BINANCE_STREAM_URL and MARK_STREAM: read and validated once, like the other Binance hosts. */
import { describe, expect, it } from "vitest";
import { configProblems, loadConfig } from "../../lib/config.js";

const BASE = {
  SNAPSHOT_TABLE: "t",
  ALERT_TOPIC_ARN: "arn:aws:sns:eu-west-1:123456789012:alerts",
  ACCOUNTS: JSON.stringify([{ name: "main", secretId: "s" }]),
};

describe("mark price stream settings", () => {
  it("default to COIN-M's stream host, on", () => {
    const config = loadConfig(BASE);
    expect(config.binanceStreamUrl).toBe("wss://dstream.binance.com");
    expect(config.markStream).toBe(true);
  });

  it("take wss anywhere, plain ws on loopback only, and name the variable otherwise", () => {
    expect(loadConfig({ ...BASE, BINANCE_STREAM_URL: " wss://proxy.example.com:9443/ " }).binanceStreamUrl).toBe(
      "wss://proxy.example.com:9443",
    );
    expect(loadConfig({ ...BASE, BINANCE_STREAM_URL: "ws://127.0.0.1:4100" }).binanceStreamUrl).toBe(
      "ws://127.0.0.1:4100",
    );
    for (const bad of ["ws://dstream.binance.com", "https://dstream.binance.com", "dstream"]) {
      expect(() => loadConfig({ ...BASE, BINANCE_STREAM_URL: bad })).toThrow(/BINANCE_STREAM_URL/);
    }
  });

  it("MARK_STREAM is on or off, and a bad value is reported with the others", () => {
    expect(loadConfig({ ...BASE, MARK_STREAM: "off" }).markStream).toBe(false);
    expect(loadConfig({ ...BASE, MARK_STREAM: "ON" }).markStream).toBe(true);
    const problems = configProblems({ ...BASE, MARK_STREAM: "maybe", BINANCE_STREAM_URL: "http://x" });
    expect(problems.map((p) => p.variable).sort()).toEqual(["BINANCE_STREAM_URL", "MARK_STREAM"]);
  });
});
