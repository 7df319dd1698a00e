/**
 * The DynamoDB table holding snapshots and alert state (key layout in lib/aws/dynamodb-store.ts).
 * It is the monitor's history, so nothing in a stack update or `cdk destroy` may delete it.
 */
import { RemovalPolicy } from "aws-cdk-lib";
import { AttributeType, BillingMode, Table, TableEncryption } from "aws-cdk-lib/aws-dynamodb";
import { Construct } from "constructs";

/** Attribute names shared with the core's DynamoDB adapter. */
export const TABLE_KEYS = { partition: "pk", sort: "sk", ttl: "expiresAt" } as const;

export class SnapshotTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, "Table", {
      // No fixed name: a retained table from an earlier deploy would otherwise block a redeploy.
      partitionKey: { name: TABLE_KEYS.partition, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sort, type: AttributeType.STRING },
      // A few writes per account per minute: on-demand costs cents where provisioned costs dollars.
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TABLE_KEYS.ttl,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      // The AWS-owned key: free, and the table holds balances, never credentials.
      encryption: TableEncryption.DEFAULT,
    });
  }
}
