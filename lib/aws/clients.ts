/**
 * AWS SDK clients with the SDK's own configuration chain: region, credentials and the standard
 * endpoint variables (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB, ...), never hard-coded endpoints.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SNSClient } from "@aws-sdk/client-sns";

export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly sns: SNSClient;
  readonly secretsManager: SecretsManagerClient;
}

export function createAwsClients(options: { region?: string; maxAttempts?: number } = {}): AwsClients {
  const common = {
    ...(options.region ? { region: options.region } : {}),
    // Standard retry mode with jittered backoff; DynamoDB throttling is retried here before we see it.
    maxAttempts: options.maxAttempts ?? 4,
    // The SDK waits forever by default; a hung connection must fail inside the Lambda's budget.
    requestHandler: { connectionTimeout: 2000, requestTimeout: 5000, throwOnRequestTimeout: true },
  };
  return {
    dynamodb: new DynamoDBClient(common),
    sns: new SNSClient(common),
    secretsManager: new SecretsManagerClient(common),
  };
}
