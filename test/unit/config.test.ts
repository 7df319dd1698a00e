import { describe, expect, it } from "vitest";
import { configProblems, DEFAULTS, loadConfig } from "../../lib/config.js";
import { ConfigError } from "../../lib/core/errors.js";

const base = {
  SNAPSHOT_TABLE: "snapshots",
  ALERT_TOPIC_ARN: "arn:aws:sns:eu-west-1:123456789012:alerts",
  ACCOUNTS: '[{"name": "main", "secretId": "coinm-guard/main"}]',
};

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("applies the documented defaults", () => {
    const config = loadConfig(base);
    expect(config).toMatchObject({
      snapshotTable: "snapshots",
      accounts: [{ name: "main", secretId: "coinm-guard/main" }],
      alertLevels: [
        { name: "warning", ratio: 0.5 },
        { name: "critical", ratio: 0.8 },
      ],
      hysteresis: 0.05,
      renotifyMinutes: 60,
      snapshotTtlDays: 90,
      binanceBaseUrl: "https://dapi.binance.com",
      binanceSpotBaseUrl: "https://api.binance.com",
      recvWindowMs: DEFAULTS.recvWindowMs,
    });
  });

  it("trims values and sorts custom levels", () => {
    const config = loadConfig({
      ...base,
      SNAPSHOT_TABLE: "  snapshots  ",
      ALERT_LEVELS: '[{"name": "critical", "ratio": 0.9}, {"name": "notice", "ratio": 0.3}]',
      HYSTERESIS: " 0.02 ",
    });
    expect(config.snapshotTable).toBe("snapshots");
    expect(config.alertLevels.map((l) => l.name)).toEqual(["notice", "critical"]);
    expect(config.hysteresis).toBe(0.02);
  });

  it.each([
    [{ SNAPSHOT_TABLE: "" }, "SNAPSHOT_TABLE", /is required/],
    [{ ACCOUNTS: "not json" }, "ACCOUNTS", /not valid JSON/],
    [{ ACCOUNTS: "[]" }, "ACCOUNTS", /non-empty JSON array/],
    [{ ACCOUNTS: '[{"name": "a b", "secretId": "x"}]' }, "ACCOUNTS", /"name" must be/],
    [{ ACCOUNTS: '[{"name": "a", "secretId": ""}]' }, "ACCOUNTS", /"secretId" must be/],
    [{ ACCOUNTS: '[{"name": "a", "secretId": "x"}, {"name": "a", "secretId": "y"}]' }, "ACCOUNTS", /appears twice/],
    [{ ALERT_LEVELS: '[{"name": "warning", "ratio": 1.5}]' }, "ALERT_LEVELS", /in \(0, 1\]/],
    [{ ALERT_LEVELS: '[{"name": "ok", "ratio": 0.5}]' }, "ALERT_LEVELS", /other than "ok"/],
    [{ ALERT_LEVELS: '[{"name": "a", "ratio": 0.5}, {"name": "b", "ratio": 0.5}]' }, "ALERT_LEVELS", /distinct/],
    [{ HYSTERESIS: "abc" }, "HYSTERESIS", /must be a number/],
    [{ HYSTERESIS: "0.5" }, "HYSTERESIS", /below the lowest alert level/],
    [{ RENOTIFY_MINUTES: "1.5" }, "RENOTIFY_MINUTES", /integer/],
    [{ SNAPSHOT_TTL_DAYS: "0" }, "SNAPSHOT_TTL_DAYS", /between 1 and 3650/],
    [{ BINANCE_BASE_URL: "http://dapi.binance.com" }, "BINANCE_BASE_URL", /must use https/],
    [{ BINANCE_BASE_URL: "not a url" }, "BINANCE_BASE_URL", /is not a URL/],
    [{ BINANCE_SPOT_BASE_URL: "http://api.binance.com" }, "BINANCE_SPOT_BASE_URL", /must use https/],
    [{ BINANCE_SPOT_BASE_URL: "not a url" }, "BINANCE_SPOT_BASE_URL", /is not a URL/],
    [{ RATIO_METRICS: "maybe" }, "RATIO_METRICS", /one of off, worst, per-asset/],
    [{ DISTANCE_LEVELS: '[{"name": "severe", "distance": 0.1}]' }, "DISTANCE_LEVELS", /one of the alert levels/],
    [{ DISTANCE_LEVELS: '[{"name": "warning", "distance": 1}]' }, "DISTANCE_LEVELS", /in \(0, 1\)/],
    [
      { DISTANCE_LEVELS: '[{"name": "warning", "distance": 0.02}, {"name": "critical", "distance": 0.05}]' },
      "DISTANCE_LEVELS",
      /"critical" is more severe than "warning", so its distance must be smaller/,
    ],
    [{ DISTANCE_LEVELS: "{}" }, "DISTANCE_LEVELS", /JSON array/],
    [{ DISTANCE_HYSTERESIS: "-0.01" }, "DISTANCE_HYSTERESIS", /between 0 and 0.5/],
  ])("rejects %j naming the variable", (override, variable, message) => {
    const err = errorOf({ ...base, ...override });
    expect(err.variable).toBe(variable);
    expect(err.message).toMatch(message);
    expect(err.message.startsWith(`${variable}:`)).toBe(true);
  });

  it("defaults distance levels to warning within 10% and critical within 3% of liquidation", () => {
    expect(loadConfig(base)).toMatchObject({
      distanceLevels: [
        { name: "warning", distance: 0.1 },
        { name: "critical", distance: 0.03 },
      ],
      distanceHysteresis: 0.01,
    });
  });

  it("puts default distances on custom level names by severity, and [] turns distance alerts off", () => {
    const custom = '[{"name": "amber", "ratio": 0.4}, {"name": "red", "ratio": 0.7}, {"name": "black", "ratio": 0.9}]';
    expect(loadConfig({ ...base, ALERT_LEVELS: custom }).distanceLevels).toEqual([
      { name: "amber", distance: 0.1 },
      { name: "black", distance: 0.03 },
    ]);
    expect(loadConfig({ ...base, DISTANCE_LEVELS: "[]" }).distanceLevels).toEqual([]);
    expect(
      loadConfig({
        ...base,
        DISTANCE_LEVELS: '[{"name": "critical", "distance": 0.01}, {"name": "warning", "distance": 0.05}]',
      }).distanceLevels,
    ).toEqual([
      { name: "warning", distance: 0.05 },
      { name: "critical", distance: 0.01 },
    ]);
  });

  // Issue 17: these passed and were silently cut to the origin at run time.
  it.each([
    ["a user and password", "https://user:hunter2@proxy.example.com", /user name or password/],
    ["a path", "https://proxy.example.com/dapi", /bare origin/],
    ["a query", "https://proxy.example.com/?region=eu", /bare origin/],
    ["an empty query", "https://proxy.example.com?", /bare origin/],
    ["a fragment", "https://proxy.example.com#x", /bare origin/],
  ])("refuses a Binance base URL with %s, never repeating it", (_what, url, message) => {
    for (const variable of ["BINANCE_BASE_URL", "BINANCE_SPOT_BASE_URL"] as const) {
      const err = errorOf({ ...base, [variable]: url });
      expect(err.variable).toBe(variable);
      expect(err.message).toMatch(message);
      expect(err.message).not.toContain("hunter2");
      expect(err.message).not.toContain(url);
    }
  });

  it("takes a bare origin with or without its slash, and a port", () => {
    expect(loadConfig({ ...base, BINANCE_BASE_URL: "https://proxy.example.com/" }).binanceBaseUrl).toBe(
      "https://proxy.example.com",
    );
    expect(loadConfig({ ...base, BINANCE_BASE_URL: "https://proxy.example.com:8443" }).binanceBaseUrl).toBe(
      "https://proxy.example.com:8443",
    );
  });

  it("allows plain http only on loopback", () => {
    expect(loadConfig({ ...base, BINANCE_BASE_URL: "http://127.0.0.1:8080/" }).binanceBaseUrl).toBe(
      "http://127.0.0.1:8080",
    );
    expect(loadConfig({ ...base, BINANCE_SPOT_BASE_URL: "http://localhost:8081/" }).binanceSpotBaseUrl).toBe(
      "http://localhost:8081",
    );
  });
});

describe("USD-M (issue 19)", () => {
  it("reads fapi.binance.com by default, configured like the other hosts", () => {
    expect(loadConfig(base)).toMatchObject({ binanceUsdmBaseUrl: "https://fapi.binance.com", usdm: true });
    expect(loadConfig({ ...base, BINANCE_USDM_BASE_URL: "http://127.0.0.1:9000/" }).binanceUsdmBaseUrl).toBe(
      "http://127.0.0.1:9000",
    );
    // A path is refused like the other hosts' (issue 17), not cut to the origin.
    expect(errorOf({ ...base, BINANCE_USDM_BASE_URL: "http://127.0.0.1:9000/x" })).toMatchObject({
      variable: "BINANCE_USDM_BASE_URL",
      message: expect.stringMatching(/bare origin/),
    });
    expect(errorOf({ ...base, BINANCE_USDM_BASE_URL: "http://fapi.example.com" })).toMatchObject({
      variable: "BINANCE_USDM_BASE_URL",
      message: expect.stringMatching(/must use https/),
    });
  });

  it('USDM=off turns it off for the stack; an account\'s "usdm": false for itself', () => {
    expect(loadConfig({ ...base, USDM: "off" }).usdm).toBe(false);
    expect(loadConfig({ ...base, USDM: " ON " }).usdm).toBe(true);
    expect(errorOf({ ...base, USDM: "maybe" }).variable).toBe("USDM");
    const accounts = loadConfig({
      ...base,
      ACCOUNTS: '[{"name": "a", "secretId": "s/a", "usdm": false}, {"name": "b", "secretId": "s/b"}]',
    }).accounts;
    expect(accounts).toEqual([
      { name: "a", secretId: "s/a", usdm: false },
      { name: "b", secretId: "s/b" },
    ]);
    expect(errorOf({ ...base, ACCOUNTS: '[{"name": "a", "secretId": "s/a", "usdm": "no"}]' }).message).toMatch(
      /"usdm" must be true or false/,
    );
    expect(configProblems({ ...base, USDM: "x", BINANCE_USDM_BASE_URL: "ftp://x" }).map((p) => p.variable)).toEqual(
      expect.arrayContaining(["USDM", "BINANCE_USDM_BASE_URL"]),
    );
  });
});

describe("ALERT_TOPIC_ARN and configProblems", () => {
  it("accepts topic ARNs in every partition, FIFO included, and refuses anything else", () => {
    for (const arn of [
      "arn:aws-cn:sns:cn-north-1:123456789012:alerts",
      "arn:aws-us-gov:sns:us-gov-west-1:123456789012:alerts",
      "arn:aws:sns:eu-west-1:123456789012:alerts.fifo",
    ]) {
      expect(loadConfig({ ...base, ALERT_TOPIC_ARN: arn }).alertTopicArn).toBe(arn);
    }
    for (const bad of ["alerts", "arn:aws:sqs:eu-west-1:123456789012:alerts", "arn:aws:sns:eu-west-1:1234:alerts"]) {
      expect(errorOf({ ...base, ALERT_TOPIC_ARN: bad }).variable).toBe("ALERT_TOPIC_ARN");
    }
  });

  it("lists every bad variable once, in a fixed order, and nothing for a good configuration", () => {
    expect(configProblems(base)).toEqual([]);
    const problems = configProblems({ ACCOUNTS: "[]", RATIO_METRICS: "yes", LOG_LEVEL: "loud", HYSTERESIS: "0.6" });
    expect(problems.map((p) => p.variable)).toEqual([
      "SNAPSHOT_TABLE",
      "ALERT_TOPIC_ARN",
      "ACCOUNTS",
      "HYSTERESIS",
      "RATIO_METRICS",
      "LOG_LEVEL",
    ]);
  });

  it("includes a rule across variables that only loadConfig checks", () => {
    const problems = configProblems({ ...base, ALERT_LEVELS: '[{"name": "low", "ratio": 0.1}]', HYSTERESIS: "0.2" });
    expect(problems.map((p) => p.message)).toEqual(["HYSTERESIS: must be below the lowest alert level (0.1)"]);
  });
});
