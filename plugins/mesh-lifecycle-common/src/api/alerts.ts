import { SourceOutcome } from './mesh';

/**
 * State of an alerting rule or alert: `inactive` (condition false),
 * `pending` (true, for less than the rule's `for` duration) or `firing`.
 *
 * @public
 */
export type AlertState = 'inactive' | 'pending' | 'firing';

/**
 * An active alert of a rule.
 *
 * @public
 */
export interface ActiveAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** `pending` or `firing` (an `inactive` alert is not active). */
  state: AlertState;
  /** Since when the alert is active (ISO 8601), when known. */
  activeAt?: string;
  /** The value of the expression that made it active. */
  value?: string;
}

/**
 * An alerting rule that concerns a service, as one Prometheus evaluates it.
 *
 * @public
 */
export interface AlertRuleStatus {
  /** The rule's `alert` name. */
  name: string;
  /** The rule group it belongs to. */
  group: string;
  /**
   * The rule's state for this service: the most severe state of `alerts`, or
   * `inactive` when none of its alerts concerns the service.
   */
  state: AlertState;
  /** The `severity` label of the rule, when set. */
  severity?: string;
  /** The rule's `summary` annotation, when set. */
  summary?: string;
  /** The rule's `description` annotation, when set. */
  description?: string;
  /** The PromQL expression, as Prometheus prints it. */
  query: string;
  /** How long (seconds) the expression must hold before the alert fires. */
  durationSeconds: number;
  /** `ok`, `err` or `unknown`: whether its last evaluation succeeded. */
  health: string;
  /** The error of its last evaluation, when it failed. */
  lastError?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Only the active alerts of the rule that concern the service. */
  alerts: ActiveAlert[];
}

/**
 * One matcher of an Alertmanager silence.
 *
 * @public
 */
export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  /** `true` for `=` and `=~`, `false` for `!=` and `!~`. */
  isEqual: boolean;
}

/**
 * An active Alertmanager silence that matches one of the service's alerts.
 *
 * @public
 */
export interface AlertSilence {
  id: string;
  matchers: SilenceMatcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  /** Names of the service's alerts (`alertname` label) it silences. */
  silencedAlerts: string[];
}

/**
 * The `alerts` answer for an entity: the alerting rules that concern it
 * from each Prometheus that watches its clusters, and the silences of each
 * configured Alertmanager that mute its alerts, each source on its own.
 *
 * @public
 */
export interface AlertsResponse {
  entityRef: string;
  sources: Array<SourceOutcome<{ rules: AlertRuleStatus[] }>>;
  /** Present when at least one Alertmanager is configured. */
  silences?: Array<SourceOutcome<{ silences: AlertSilence[] }>>;
}
