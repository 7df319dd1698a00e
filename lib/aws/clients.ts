/**
 * AWS SDK clients with the SDK's own configuration chain: region, credentials and the standard
 * endpoint variables (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB, ...), never hard-coded endpoints.
 * Built at once, for the CLI, the demo and the benchmarks; the Lambda builds them on first use
 * (lazyAwsClients in lazy.ts) so its cold start imports no SDK package.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SNSClient } from "@aws-sdk/client-sns";
import { type AwsClients, type ClientOptions, clientConfig } from "./lazy.js";

export type { AwsClients } from "./lazy.js";

/** The three clients, built: what tests and the CLI hand to adapters and send with directly. */
export interface SdkClients extends AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly sns: SNSClient;
  readonly secretsManager: SecretsManagerClient;
}

export function createAwsClients(options: ClientOptions = {}): SdkClients {
  const common = clientConfig(options);
  return {
    dynamodb: new DynamoDBClient(common),
    sns: new SNSClient(common),
    secretsManager: new SecretsManagerClient(common),
  };
}
