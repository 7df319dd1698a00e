/**
 * CloudWatch dashboard: every account's margin pools against the alert levels, plus the monitor's
 * own health. The ratios come from the monitor's "margin pool" log lines through Logs Insights widgets,
 * so the dashboard needs no custom metric ($0.30 a month each) and costs nothing at rest; a query
 * runs (at $0.005 per GB scanned) only while someone has the dashboard open. When MarginRatio
 * metrics are switched on ("ratioMetrics"), a metric graph of them is added, with the levels drawn.
 */
import type { Duration } from "aws-cdk-lib";
import {
  AlarmStatusWidget,
  Color,
  Dashboard,
  GraphWidget,
  type HorizontalAnnotation,
  type IAlarm,
  type IWidget,
  LegendPosition,
  LogQueryVisualizationType,
  LogQueryWidget,
  MathExpression,
} from "aws-cdk-lib/aws-cloudwatch";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { ILogGroup } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import type { RatioMetrics } from "../../lib/config.js";
import { METRIC_NAMESPACE, RATIO_CEILING } from "../../lib/monitor/metrics.js";
import type { AlertLevel } from "../../lib/risk/levels.js";

export interface MarginDashboardProps {
  /** Dashboard name (unique in the account). */
  readonly dashboardName: string;
  /** Alert levels, drawn as horizontal lines and named in the titles. */
  readonly alertLevels: readonly AlertLevel[];
  /** Graph period: one point per monitor run. */
  readonly period: Duration;
  /** The monitor function, for the health graph. */
  readonly function: IFunction;
  /** The monitor's log group, which the Logs Insights widgets query. */
  readonly logGroup: ILogGroup;
  /** Which MarginRatio metrics the monitor emits; "off" draws the ratios from the logs only. */
  readonly ratioMetrics: RatioMetrics;
  /** Alarms shown in the status strip. */
  readonly alarms: readonly IAlarm[];
}

/** The search the metric graph runs for the given metric setting; exported so tests can pin it. */
export function marginRatioSearch(periodSeconds: number, ratioMetrics: RatioMetrics = "per-asset"): string {
  const dims = ratioMetrics === "worst" ? "Account" : "Account,Asset";
  return `SEARCH('{${METRIC_NAMESPACE},${dims}} MetricName="MarginRatio"', 'Maximum', ${periodSeconds})`;
}

/**
 * Logs Insights queries over the "margin pool" lines the cycle logs per account and pool (fields
 * account, pool, ratio, distance, alertLevel). A line chart takes one series per query, so the
 * chart shows the worst ratio over all accounts and pools, and the table each pool's latest.
 */
export function marginLogQueries(periodSeconds: number): { worst: string[]; latest: string[] } {
  return {
    worst: [
      "fields ratio",
      'filter message = "margin pool" and ispresent(ratio)',
      `stats max(ratio) as worstRatio by bin(${periodSeconds}s)`,
    ],
    latest: [
      "fields ratio",
      'filter message = "margin pool"',
      "stats latest(ratio) as ratio, latest(distance) as distance, latest(alertLevel) as level, max(ratio) as highest by account, pool",
      "sort ratio desc",
    ],
  };
}

export class MarginDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MarginDashboardProps) {
    super(scope, id);
    const highest = props.alertLevels.length - 1;
    const levelsText = props.alertLevels.map((l) => `${l.name} ${Math.round(l.ratio * 100)}%`).join(", ");
    const levelLines: HorizontalAnnotation[] = props.alertLevels.map((level, i) => ({
      value: level.ratio,
      label: `${level.name} (${Math.round(level.ratio * 100)}%)`,
      color: i === highest ? Color.RED : Color.ORANGE,
    }));
    const queries = marginLogQueries(props.period.toSeconds());
    const logGroupNames = [props.logGroup.logGroupName];

    const rows: IWidget[][] = [
      [
        new LogQueryWidget({
          title: `Worst margin ratio over all accounts (maintenance / balance; levels: ${levelsText}; 1 = liquidation)`,
          logGroupNames,
          queryLines: queries.worst,
          view: LogQueryVisualizationType.LINE,
          width: 14,
          height: 8,
        }),
        new LogQueryWidget({
          title: "Margin pools by account: ratio, distance to liquidation, level (latest; highest ratio in the range)",
          logGroupNames,
          queryLines: queries.latest,
          view: LogQueryVisualizationType.TABLE,
          width: 10,
          height: 8,
        }),
      ],
    ];

    if (props.ratioMetrics !== "off") {
      rows.push([
        new GraphWidget({
          title: `MarginRatio metrics (${props.ratioMetrics}; ${RATIO_CEILING} = balance <= 0)`,
          width: 24,
          height: 8,
          left: [
            new MathExpression({
              expression: marginRatioSearch(props.period.toSeconds(), props.ratioMetrics),
              usingMetrics: {},
              // An empty label shows each series' own dimension labels instead of the expression.
              label: "",
              period: props.period,
            }),
          ],
          leftAnnotations: [...levelLines, { value: 1, label: "liquidation (100%)", color: "#7f0000" }],
          leftYAxis: { min: 0, showUnits: false },
          legendPosition: LegendPosition.RIGHT,
        }),
      ]);
    }

    const health = new GraphWidget({
      title: "Monitor health (Lambda's own metrics)",
      width: 16,
      height: 6,
      left: [
        props.function.metricInvocations({ statistic: "Sum", label: "runs" }),
        props.function.metricErrors({ statistic: "Sum", label: "errors" }),
        props.function.metricThrottles({ statistic: "Sum", label: "throttles" }),
      ],
      leftYAxis: { min: 0, showUnits: false },
    });
    const status = new AlarmStatusWidget({ title: "Alarms", width: 8, height: 6, alarms: [...props.alarms] });
    rows.push([health, status]);

    this.dashboard = new Dashboard(this, "Dashboard", { dashboardName: props.dashboardName, widgets: rows });
  }
}
