/**
 * CloudWatch dashboard: every account's margin ratio per asset against the alert levels, plus
 * the monitor's own health. Assets appear and disappear as positions change, so the graph uses a
 * SEARCH expression over the MarginRatio metrics instead of a fixed list.
 */
import type { Duration } from "aws-cdk-lib";
import {
  AlarmStatusWidget,
  Color,
  Dashboard,
  GraphWidget,
  type HorizontalAnnotation,
  type IAlarm,
  LegendPosition,
  MathExpression,
  Metric,
  Shading,
} from "aws-cdk-lib/aws-cloudwatch";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { Construct } from "constructs";
import type { AlertLevel } from "../../lib/config.js";
import { METRIC_NAMESPACE, RATIO_CEILING } from "../../lib/metrics.js";

export interface MarginDashboardProps {
  /** Dashboard name (unique in the account). */
  readonly dashboardName: string;
  /** Alert levels, drawn as horizontal lines. */
  readonly alertLevels: readonly AlertLevel[];
  /** Graph period: one point per monitor run. */
  readonly period: Duration;
  /** The monitor function, for the health graph. */
  readonly function: IFunction;
  /** Alarms shown in the status strip. */
  readonly alarms: readonly IAlarm[];
}

/** The search the ratio graph runs; exported so tests can pin it. */
export function marginRatioSearch(periodSeconds: number): string {
  return `SEARCH('{${METRIC_NAMESPACE},Account,Asset} MetricName="MarginRatio"', 'Maximum', ${periodSeconds})`;
}

export class MarginDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MarginDashboardProps) {
    super(scope, id);
    const highest = props.alertLevels.length - 1;
    const levelLines: HorizontalAnnotation[] = props.alertLevels.map((level, i) => ({
      value: level.ratio,
      label: `${level.name} (${Math.round(level.ratio * 100)}%)`,
      color: i === highest ? Color.RED : Color.ORANGE,
    }));
    const liquidation: HorizontalAnnotation = {
      value: 1,
      label: "liquidation (100%)",
      color: "#7f0000",
      fill: Shading.ABOVE,
    };

    const ratios = new GraphWidget({
      title: `Margin ratio by account and asset (maintenance / balance; ${RATIO_CEILING} = balance <= 0)`,
      width: 24,
      height: 9,
      left: [
        new MathExpression({
          expression: marginRatioSearch(props.period.toSeconds()),
          usingMetrics: {},
          // An empty label shows each series' own Account/Asset labels instead of the expression.
          label: "",
          period: props.period,
        }),
      ],
      leftAnnotations: [...levelLines, liquidation],
      leftYAxis: { min: 0, showUnits: false },
      legendPosition: LegendPosition.RIGHT,
    });

    const health = new GraphWidget({
      title: "Monitor health",
      width: 16,
      height: 6,
      left: [
        new Metric({
          namespace: METRIC_NAMESPACE,
          metricName: "Heartbeat",
          statistic: "Sum",
          label: "completed cycles",
        }),
        props.function.metricErrors({ statistic: "Sum", label: "errors" }),
        props.function.metricThrottles({ statistic: "Sum", label: "throttles" }),
      ],
      leftYAxis: { min: 0, showUnits: false },
    });

    const status = new AlarmStatusWidget({ title: "Alarms", width: 8, height: 6, alarms: [...props.alarms] });

    this.dashboard = new Dashboard(this, "Dashboard", {
      dashboardName: props.dashboardName,
      widgets: [[ratios], [health, status]],
    });
  }
}
