import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

describe("the coinm-guard binary (bin/coinm-guard.mjs)", () => {
  it("builds or reuses its bundle and runs a command", async () => {
    const { stdout } = await run(process.execPath, ["bin/coinm-guard.mjs", "run-once", "--help"]);
    expect(stdout).toContain("Usage: coinm-guard run-once");
  });

  it("exits 2 on an unknown command, as the CLI itself does", async () => {
    const err = await run(process.execPath, ["bin/coinm-guard.mjs", "no-such-command"]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "no-such-command"') });
  });
});
