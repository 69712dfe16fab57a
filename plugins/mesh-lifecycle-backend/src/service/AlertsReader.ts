import { InputError } from '@backstage/errors';
import {
  ActiveAlert,
  AlertRuleStatus,
  AlertSilence,
  AlertState,
  AlertsResponse,
  ServiceDeclaration,
  SourceOutcome,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import {
  AlertmanagerClient,
  silenceMatches,
} from '../prometheus/AlertmanagerClient';
import { PrometheusAlertingRule } from '../prometheus/PrometheusClient';
import { promqlSelectors } from '../prometheus/promqlMatchers';
import { unconfiguredCluster } from './pinnedCluster';
import { sourceError } from './sourceError';
import { TrafficSource, sourcesWatching } from './TrafficReader';

/** An Alertmanager and the clusters whose alerts it receives. */
export interface AlertmanagerSourceEntry {
  client: AlertmanagerClient;
  /** Names of the clusters it serves; empty for a global Alertmanager. */
  clusters: string[];
}

/**
 * Labels whose value names a service: Istio's destination labels,
 * conventional `service`/`app` labels, and the Kubernetes id label as
 * Prometheus sanitises it.
 */
const NAME_LABELS = [
  'destination_service_name',
  'service',
  'service_name',
  'app',
  'app_kubernetes_io_name',
  'destination_app',
  'kubernetes_id',
  'backstage_io_kubernetes_id',
];
/** Labels whose value is the service's cluster-local host name. */
const HOST_LABELS = ['destination_service'];
/** Labels whose value is the service's namespace. */
const NAMESPACE_LABELS = [
  'namespace',
  'destination_service_namespace',
  'destination_workload_namespace',
  'kubernetes_namespace',
];

interface ServiceIdentity {
  name: string;
  namespace?: string;
}

/** Whether a host label value is the service: `name`, or `name.namespace[.svc…]`. */
function hostNamesService(host: string, service: ServiceIdentity): boolean {
  const [name, namespace, ...rest] = host.split('.');
  if (name !== service.name) return false;
  if (namespace === undefined) return true;
  if (service.namespace !== undefined && namespace !== service.namespace) {
    return false;
  }
  return rest.length === 0 || rest[0] === 'svc';
}

type Naming = 'service' | 'other' | 'none';

/**
 * Whether a set of labels names the service (`service`), names some other
 * service or namespace (`other`), or names no service at all (`none`).
 */
function naming(
  labels: Record<string, string>,
  service: ServiceIdentity,
): Naming {
  const names = NAME_LABELS.filter(label => labels[label] !== undefined);
  const hosts = HOST_LABELS.filter(label => labels[label] !== undefined);
  if (names.length === 0 && hosts.length === 0) return 'none';
  const named =
    names.some(label => labels[label] === service.name) ||
    hosts.some(label => hostNamesService(labels[label], service));
  const otherNamespace =
    service.namespace !== undefined &&
    NAMESPACE_LABELS.some(
      label =>
        labels[label] !== undefined && labels[label] !== service.namespace,
    );
  return named && !otherNamespace ? 'service' : 'other';
}

/** Whether one selector of an expression has equality matchers naming the service. */
function expressionNamesService(
  query: string,
  service: ServiceIdentity,
): boolean {
  return promqlSelectors(query).some(matchers => {
    const equalities: Record<string, string> = {};
    for (const matcher of matchers) {
      if (matcher.operator === '=') equalities[matcher.name] = matcher.value;
    }
    return naming(equalities, service) === 'service';
  });
}

const STATE_ORDER: AlertState[] = ['inactive', 'pending', 'firing'];

function mostSevere(states: AlertState[]): AlertState {
  return states.reduce<AlertState>(
    (worst, state) =>
      STATE_ORDER.indexOf(state) > STATE_ORDER.indexOf(worst) ? state : worst,
    'inactive',
  );
}

/**
 * The rule as it concerns the service, or `undefined` when it does not.
 * Exported for tests.
 */
export function ruleForService(
  rule: PrometheusAlertingRule,
  group: string,
  service: ServiceIdentity,
): AlertRuleStatus | undefined {
  const ruleLevel =
    naming(rule.labels, service) === 'service' ||
    expressionNamesService(rule.query, service);
  const alerts: ActiveAlert[] = rule.alerts
    .filter(alert => {
      const named = naming(alert.labels, service);
      return named === 'service' || (ruleLevel && named === 'none');
    })
    .map(alert => ({
      labels: alert.labels,
      annotations: alert.annotations,
      state: alert.state,
      ...(alert.activeAt !== undefined ? { activeAt: alert.activeAt } : {}),
      ...(alert.value !== undefined ? { value: alert.value } : {}),
    }));
  if (!ruleLevel && alerts.length === 0) return undefined;
  return {
    name: rule.name,
    group,
    state: mostSevere(alerts.map(alert => alert.state)),
    ...(rule.labels.severity !== undefined
      ? { severity: rule.labels.severity }
      : {}),
    ...(rule.annotations.summary !== undefined
      ? { summary: rule.annotations.summary }
      : {}),
    ...(rule.annotations.description !== undefined
      ? { description: rule.annotations.description }
      : {}),
    query: rule.query,
    durationSeconds: rule.duration,
    health: rule.health,
    ...(rule.lastError ? { lastError: rule.lastError } : {}),
    labels: rule.labels,
    annotations: rule.annotations,
    alerts,
  };
}

/**
 * Reads the alerting rules that concern a service from the Prometheus
 * servers that watch its clusters, and the silences of the Alertmanagers
 * that serve them, each source answering on its own.
 *
 * An alerting rule concerns the service, whose name is its
 * `backstage.io/kubernetes-id` and namespace its
 * `backstage.io/kubernetes-namespace`, when
 *
 * - one of its active alerts, or the rule's own labels, name the service: a
 *   `destination_service_name`, `service`, `service_name`, `app`,
 *   `app_kubernetes_io_name`, `destination_app`, `kubernetes_id` or
 *   `backstage_io_kubernetes_id` label equal to the name, or a
 *   `destination_service` label equal to the name or to the host
 *   `<name>.<namespace>[.svc…]`; a `namespace`-style label
 *   (`namespace`, `destination_service_namespace`,
 *   `destination_workload_namespace`, `kubernetes_namespace`) other than
 *   the service's namespace rules the match out; or
 * - one selector of its expression has equality matchers (`=`, not regular
 *   expressions) that name the service in the same way, e.g.
 *   `destination_service="payment-service.shop.svc.cluster.local"`. Values
 *   are compared whole, so `cart` never matches `cart-api`.
 *
 * Of a rule, only the active alerts that name the service, or that name no
 * service at all when the rule itself concerns the service, are reported,
 * and the rule's state is the most severe of theirs. A rule aggregated over
 * all services (`sum by (destination_service_name) (…)`) therefore shows up
 * only while one of its alerts for the service is active.
 *
 * A silence is reported when it is active and matches (Alertmanager's
 * matcher semantics) one of those alerts or, for a rule without any, the
 * rule's labels together with its `alertname` (what its alerts would carry
 * besides the expression's own labels).
 */
export class AlertsReader {
  private readonly sources: TrafficSource[];
  private readonly alertmanagers: AlertmanagerSourceEntry[];
  private readonly clusterNames?: readonly string[];

  constructor(options: {
    sources: TrafficSource[];
    alertmanagers?: AlertmanagerSourceEntry[];
    /** The configured clusters, to tell an entity pinned to another one. */
    clusterNames?: readonly string[];
  }) {
    this.sources = options.sources;
    this.alertmanagers = options.alertmanagers ?? [];
    this.clusterNames = options.clusterNames;
  }

  async read(declaration: ServiceDeclaration): Promise<AlertsResponse> {
    const { kubernetesId, namespace, cluster } = declaration.target;
    if (!kubernetesId) {
      throw new InputError(
        `${declaration.entityRef} needs the backstage.io/kubernetes-id annotation for its alerts`,
      );
    }
    const service: ServiceIdentity = {
      name: kubernetesId,
      ...(namespace ? { namespace } : {}),
    };
    const unconfigured = unconfiguredCluster(declaration, this.clusterNames);
    if (unconfigured) {
      return { entityRef: declaration.entityRef, sources: [unconfigured] };
    }
    const sources = await Promise.all(
      sourcesWatching(this.sources, cluster).map(
        async (
          source,
        ): Promise<SourceOutcome<{ rules: AlertRuleStatus[] }>> => {
          try {
            const rules = (await source.client.rules()).flatMap(group =>
              group.rules.flatMap(rule => {
                const status = ruleForService(rule, group.name, service);
                return status ? [status] : [];
              }),
            );
            return { source: source.client.name, status: 'ok', rules };
          } catch (error) {
            return {
              source: source.client.name,
              status: 'error',
              error: sourceError(error),
            };
          }
        },
      ),
    );

    const alertmanagers = sourcesWatching(this.alertmanagers, cluster);
    if (alertmanagers.length === 0) {
      return { entityRef: declaration.entityRef, sources };
    }
    const labelSets = sources.flatMap(outcome =>
      outcome.status === 'ok'
        ? outcome.rules.flatMap(rule =>
            rule.alerts.length > 0
              ? rule.alerts.map(alert => alert.labels)
              : [{ ...rule.labels, alertname: rule.name }],
          )
        : [],
    );
    const silences = await Promise.all(
      alertmanagers.map(
        async (entry): Promise<SourceOutcome<{ silences: AlertSilence[] }>> => {
          try {
            const found = (await entry.client.silences()).flatMap(silence => {
              if (silence.status.state !== 'active') return [];
              const silenced = labelSets.filter(labels =>
                silenceMatches(silence, labels),
              );
              if (silenced.length === 0) return [];
              return [
                {
                  id: silence.id,
                  matchers: silence.matchers,
                  startsAt: silence.startsAt,
                  endsAt: silence.endsAt,
                  createdBy: silence.createdBy,
                  comment: silence.comment,
                  silencedAlerts: [
                    ...new Set(silenced.map(labels => labels.alertname)),
                  ].sort(),
                },
              ];
            });
            return {
              source: entry.client.name,
              status: 'ok',
              silences: found,
            };
          } catch (error) {
            return {
              source: entry.client.name,
              status: 'error',
              error: sourceError(error),
            };
          }
        },
      ),
    );
    return { entityRef: declaration.entityRef, sources, silences };
  }
}
