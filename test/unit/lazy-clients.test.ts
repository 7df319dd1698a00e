import { describe, expect, it } from "vitest";
import { lazyAwsClients, lazyModule, resolveClient } from "../../lib/aws/lazy.js";

describe("lazyModule", () => {
  it("loads once however often it is asked, and again after a failure", async () => {
    // Prepare
    let loads = 0;
    let fail = true;
    const load = lazyModule(async () => {
      loads++;
      if (fail) throw new Error("import failed");
      return { loads };
    });

    // Act / Assess
    await expect(load()).rejects.toThrow("import failed");
    fail = false;
    const [a, b] = await Promise.all([load(), load()]);
    expect(a).toBe(b);
    expect(loads).toBe(2);
  });
});

describe("resolveClient", () => {
  it("hands a given client back as is and builds a lazy one once", async () => {
    // Prepare
    const given = { name: "given" };
    let built = 0;
    const lazy = resolveClient(async () => ({ name: `built ${++built}` }));

    // Act
    const same = await resolveClient(given)();
    const first = await lazy();
    const second = await lazy();

    // Assess
    expect(same).toBe(given);
    expect(first).toBe(second);
    expect(built).toBe(1);
  });
});

describe("lazyAwsClients", () => {
  it("builds a real SDK client only when asked, with the monitor's timeouts", async () => {
    // Prepare
    const clients = lazyAwsClients({ region: "eu-west-1", maxAttempts: 2 });
    expect(typeof clients.dynamodb).toBe("function");

    // Act
    const dynamodb = await resolveClient(clients.dynamodb)();

    // Assess
    expect(dynamodb.constructor.name).toBe("DynamoDBClient");
    expect(await dynamodb.config.region()).toBe("eu-west-1");
    expect(await dynamodb.config.maxAttempts()).toBe(2);
    dynamodb.destroy();
  });
});
