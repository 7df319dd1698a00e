/**
 * The stack's dead-letter queues share one policy: SSE-SQS (encrypted at rest for free, and usable
 * by EventBridge and Lambda without a key grant), TLS only, 14 days (SQS's longest) to look at
 * what was not delivered. cdk-nag's SQS3 (a queue without a DLQ) is acknowledged: it only
 * recognises queues named in another queue's redrive policy as DLQs.
 */
import { Duration, Validations } from "aws-cdk-lib";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";

/** A dead-letter queue; `of` says whose (it becomes the nag acknowledgment's reason). */
export function deadLetterQueue(scope: Construct, id: string, of: string): Queue {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: "AwsSolutions-SQS3",
    reason: `This queue is itself the dead-letter queue of ${of}; cdk-nag only recognises queues named in another queue's redrive policy as DLQs.`,
  });
  return queue;
}
