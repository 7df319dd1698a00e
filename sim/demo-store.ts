/** Where the local demo keeps its DynamoDB data, so `history --demo` can read it afterwards. */
import { join } from "node:path";

export const DEMO_DATA_DIR = join(process.cwd(), ".demo-data", "dynalite");
export const DEMO_TABLE = "coinm-guard-demo";
export const DEMO_REGION = "eu-west-1";
/** The accounts the demo monitors, and its default time between cycles. */
export const DEMO_ACCOUNTS = ["demo", "demo-eth", "demo-mixed", "demo-pm"] as const;
/** The mixed-margin demo account (sim/scenario.ts `demoMixedAccount`): an isolated position drives its alerts. */
export const DEMO_MIXED_ACCOUNT = "demo-mixed";
export const DEMO_INTERVAL_MS = 1000;

/** Credentials and region for the SDK against loopback stand-ins; never real ones. */
export function useLoopbackAws(endpoints: { dynamodb?: string; sns?: string; secretsManager?: string }): void {
  process.env.AWS_ACCESS_KEY_ID = "loopback";
  process.env.AWS_SECRET_ACCESS_KEY = "loopback";
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  process.env.AWS_REGION = DEMO_REGION;
  if (endpoints.dynamodb) process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoints.dynamodb;
  if (endpoints.sns) process.env.AWS_ENDPOINT_URL_SNS = endpoints.sns;
  if (endpoints.secretsManager) process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = endpoints.secretsManager;
}
