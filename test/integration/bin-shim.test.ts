import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

describe("the coinm-guard binary (bin/coinm-guard.mjs)", () => {
  it("builds or reuses its bundle and runs a command", async () => {
    const { stdout } = await run(process.execPath, ["bin/coinm-guard.mjs", "run-once", "--help"]);
    expect(stdout).toContain("Usage: coinm-guard run-once");
  });

  it("prints the version, and one command's help for `help <command>`", async () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
    const version = await run(process.execPath, ["bin/coinm-guard.mjs", "--version"]);
    expect(version.stdout).toBe(`coinm-guard ${pkg.version}\n`);
    const help = await run(process.execPath, ["bin/coinm-guard.mjs", "help", "put-secret"]);
    expect(help.stdout).toMatch(/^Usage: coinm-guard put-secret --account NAME/);
    const unknown = await run(process.execPath, ["bin/coinm-guard.mjs", "help", "nope"]).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "nope"') });
  });

  it("exits 2 on an unknown command, as the CLI itself does", async () => {
    const err = await run(process.execPath, ["bin/coinm-guard.mjs", "no-such-command"]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "no-such-command"') });
  });
});
