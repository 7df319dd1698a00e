/**
 * The chat relay's two AWS edges: reading a channel's secret (Secrets Manager) and parking a
 * failed delivery in the dead-letter queue (SQS). Neither ever logs or repeats a secret value.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { DeadLetter, DeadLetterSink, SecretReader } from "../chat/relay.js";
import { ChatSecretError } from "../core/errors.js";

export class SecretsManagerReader implements SecretReader {
  constructor(private readonly client: SecretsManagerClient) {}

  async read(secretId: string): Promise<string | undefined> {
    try {
      return (await this.client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
    } catch (err) {
      const name = err instanceof Error ? err.name : "Error";
      const hint =
        name === "ResourceNotFoundException"
          ? 'it does not exist or has no value yet (docs/deploy.md, "Chat channels")'
          : name === "AccessDeniedException"
            ? "the chat relay is not allowed to read it"
            : `Secrets Manager error ${name}`;
      throw new ChatSecretError(`cannot read chat secret "${secretId}": ${hint}`, { cause: err });
    }
  }
}

export class SqsDeadLetters implements DeadLetterSink {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async put(letter: DeadLetter): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(letter),
        MessageAttributes: { channel: { DataType: "String", StringValue: letter.channel } },
      }),
    );
  }
}
