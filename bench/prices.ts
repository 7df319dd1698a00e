/**
 * AWS list prices used by the cost model, in USD. US East (N. Virginia) list prices, which the
 * doc uses for eu-west-1 too where Ireland differs only slightly (noted per line). Source: the
 * public pricing pages of each service as published in 2025, after DynamoDB's on-demand price
 * cut of 2024-11-01. They could not be re-checked from this machine; verify before relying on them.
 */
export const PRICES = {
  region: "us-east-1 list prices (eu-west-1 noted where it differs)",
  asOf: "2025 public pricing pages (DynamoDB on-demand after the 2024-11-01 cut); not re-verified on 2026-11-24",
  lambda: {
    /** Arm64, per GB-second (first pricing tier). Same in eu-west-1. */
    armGbSecond: 0.0000133334,
    perMillionRequests: 0.2,
    /** Always free each month: 1M requests and 400,000 GB-s. */
    freeRequests: 1_000_000,
    freeGbSeconds: 400_000,
  },
  dynamodb: {
    /** On-demand, per million write request units (eu-west-1: about $0.7063). */
    perMillionWrites: 0.625,
    /** On-demand, per million read request units (eu-west-1: about $0.1413). */
    perMillionReads: 0.125,
    /** Standard table class storage, per GB-month (eu-west-1: $0.283). First 25 GB always free. */
    storageGbMonth: 0.25,
    freeStorageGb: 25,
    /** Continuous backups (PITR), per GB-month of table size (eu-west-1: about $0.226). */
    pitrGbMonth: 0.2,
  },
  secretsManager: {
    perSecretMonth: 0.4,
    per10kCalls: 0.05,
  },
  sns: {
    /** Publish API requests beyond the first million a month. */
    perMillionPublishes: 0.5,
    /** Email deliveries beyond the first 1,000 a month. */
    per100kEmails: 2.0,
  },
  cloudwatch: {
    /** Logs ingestion (standard class), per GB (eu-west-1: $0.57). First 5 GB always free. */
    logsIngestGb: 0.5,
    freeLogsGb: 5,
    /** Logs storage, per GB-month (eu-west-1: $0.03); billed compressed, counted raw here. */
    logsStorageGbMonth: 0.03,
    /** Logs Insights queries, per GB of logs scanned (eu-west-1: $0.0057). */
    logsInsightsGbScanned: 0.005,
    /** Custom metric, per metric-month (first 10,000 metrics). 10 free. */
    metricMonth: 0.3,
    freeMetrics: 10,
    /** Standard-resolution alarm, per alarm-month. 10 free. */
    alarmMonth: 0.1,
    freeAlarms: 10,
    /** Per dashboard-month; 3 dashboards (up to 50 metrics each) free. */
    dashboardMonth: 3.0,
    freeDashboards: 3,
  },
  ec2: {
    /** t4g.nano on demand, per hour (eu-west-1: $0.0046): a NAT instance for one shard. */
    t4gNanoHour: 0.0042,
    /** Public IPv4 address (an Elastic IP), per hour, since 2024-02-01. */
    publicIpv4Hour: 0.005,
  },
  stepFunctions: {
    /** Express workflows, per million executions. */
    expressPerMillion: 1.0,
    /** Express workflows, per GB-second of execution (first tier). */
    expressGbSecond: 0.00001667,
  },
  kms: {
    /** Customer-managed key, per month. With yearly rotation the first two rotations add $1 each. */
    keyMonth: 1.0,
  },
} as const;

/** Average month: 730 hours. */
export const HOURS_PER_MONTH = 730;
export const GIB = 1024 ** 3;
