/**
 * The mark price stream in the deployed stack (issue 20): on by default with the core's host;
 * `binanceStreamUrl` (wss only) and `markStream` ride to the function like the other settings.
 */
import { describe, expect, it } from "vitest";
import { DeployConfigError, resolveConfig } from "../../infra/config/index.js";
import { monitorVariables, shippedConfig, synth, TEST_RECIPIENTS } from "./support.js";

function problemsOf(raw: unknown): string[] {
  try {
    resolveConfig(raw);
  } catch (err) {
    if (err instanceof DeployConfigError) return [...err.problems];
    throw err;
  }
  throw new Error("expected the config to be rejected");
}

describe("mark price stream settings at synth", () => {
  it("are on by default: no variable, the core's wss://dstream.binance.com", () => {
    const vars = monitorVariables(synth({}).template);
    expect(vars.BINANCE_STREAM_URL).toBeUndefined();
    expect(vars.MARK_STREAM).toBeUndefined();
  });

  it("a stream proxy and the off switch reach the function", () => {
    const vars = monitorVariables(
      synth({ binanceStreamUrl: "wss://stream-proxy.example.net:9443", markStream: false }).template,
    );
    expect(vars).toMatchObject({ BINANCE_STREAM_URL: "wss://stream-proxy.example.net:9443", MARK_STREAM: "off" });
  });

  it("refuses a plain ws stream URL off loopback and a non-boolean switch, naming the key", () => {
    const base = { ...shippedConfig(), ...TEST_RECIPIENTS };
    expect(problemsOf({ ...base, binanceStreamUrl: "ws://stream.example.com" })[0]).toMatch(
      /^binanceStreamUrl: must use wss/,
    );
    expect(problemsOf({ ...base, markStream: "yes" })[0]).toMatch(/^markStream: /);
  });
});
