import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    // In CI a JSON report is written too, so .ci/run can print a plain "N passed, N failed" line.
    reporters: process.env.CI ? ["default", ["json", { outputFile: ".test-results.json" }]] : ["default"],
    // Integration tests start loopback servers and dynalite; synth tests bundle with esbuild.
    testTimeout: 60_000,
    // The mark price stream uses Node's own WebSocket: built in from Node 22 (the Lambda runs 24),
    // behind a flag on Node 20, so the tests run the real client there too.
    execArgv:
      typeof (globalThis as { WebSocket?: unknown }).WebSocket === "undefined" ? ["--experimental-websocket"] : [],
    hookTimeout: 60_000,
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      CDK_DISABLE_CLI_TELEMETRY: "true",
    },
  },
});
