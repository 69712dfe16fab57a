import { Alert, Flex, Text } from '@backstage/ui';
import {
  AlertRuleStatus,
  AlertSilence,
  AlertsResponse,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { RelativeTime } from '../common/RelativeTime';
import { SourcesAlert, unansweredSources } from '../common/SourcesAlert';
import { StatusIcon, Tone } from '../common/StatusIcon';
import { PlainList } from '../common/PlainList';

const STATE_ORDER = { firing: 0, pending: 1, inactive: 2 };

function tone(rule: AlertRuleStatus): Tone {
  if (rule.state === 'firing') {
    return rule.severity === 'critical' || rule.severity === 'page'
      ? 'danger'
      : 'warning';
  }
  if (rule.state === 'pending') return 'warning';
  return rule.health === 'err' ? 'unknown' : 'success';
}

function Rule(props: { rule: AlertRuleStatus; silences: AlertSilence[] }) {
  const { rule } = props;
  const since = rule.alerts
    .map(a => a.activeAt)
    .filter((t): t is string => t !== undefined)
    .sort()[0];
  const silencedBy = props.silences.filter(s =>
    s.silencedAlerts.includes(rule.name),
  );
  return (
    <li>
      <Flex gap="2" align="start">
        <StatusIcon tone={tone(rule)} label={rule.state} />
        <Flex direction="column" gap="1">
          <Text variant="body-medium" weight="bold">
            {rule.name}
            <Text as="span" variant="body-small" color="secondary">
              {' '}
              {rule.state}
              {rule.severity ? `, severity ${rule.severity}` : ''}
              {since && (
                <>
                  , since <RelativeTime iso={since} />
                </>
              )}
            </Text>
          </Text>
          {rule.summary && <Text variant="body-small">{rule.summary}</Text>}
          {rule.description && rule.state !== 'inactive' && (
            <Text variant="body-small" color="secondary">
              {rule.description}
            </Text>
          )}
          {rule.health === 'err' && (
            <Text variant="body-small" color="danger">
              Its last evaluation failed: {rule.lastError ?? 'no reason given'}
            </Text>
          )}
          {silencedBy.map(s => (
            <Text key={s.id} variant="body-small" color="secondary">
              Silenced by {s.createdBy} until <RelativeTime iso={s.endsAt} />:{' '}
              {s.comment}
            </Text>
          ))}
        </Flex>
      </Flex>
    </li>
  );
}

/**
 * The service's alert rules from every Prometheus that answered, firing and
 * pending ones first with since when, severity, summary, description and
 * silences; a service without alert rules is a finding; sources that did not
 * answer are named.
 */
export function AlertsView(props: { answer: AlertsResponse }) {
  const { answer } = props;
  const rules = answer.sources
    .flatMap(s => (s.status === 'ok' ? s.rules : []))
    .sort(
      (a, b) =>
        STATE_ORDER[a.state] - STATE_ORDER[b.state] ||
        a.name.localeCompare(b.name),
    );
  const silences = (answer.silences ?? []).flatMap(s =>
    s.status === 'ok' ? s.silences : [],
  );
  const failed = unansweredSources([
    ...answer.sources,
    ...(answer.silences ?? []),
  ]);
  const answered = answer.sources.some(s => s.status === 'ok');
  const active = rules.filter(r => r.state !== 'inactive').length;
  return (
    <Flex direction="column" gap="3">
      <SourcesAlert
        title={
          answered
            ? 'Some sources did not answer: their alerts are not shown'
            : 'No source answered: its alerts cannot be shown'
        }
        lines={failed}
      />
      {answer.sources.length === 0 && (
        <Alert
          status="info"
          icon
          title="No Prometheus watches this service's clusters"
          description="Configure meshLifecycle.prometheus (or a cluster's prometheus) to see its alerts."
        />
      )}
      {answered && rules.length === 0 && (
        <Alert
          status="warning"
          icon
          title="No alert rules for this service"
          description="Nobody is told when it fails: add a PrometheusRule with a p95 latency alert and a 5xx ratio alert for it (the mesh-service template generates both)."
        />
      )}
      {rules.length > 0 && (
        <>
          <Text variant="body-small" color="secondary">
            {active === 0
              ? `${rules.length} alert rules, none active`
              : `${active} of ${rules.length} alert rules active`}
          </Text>
          <PlainList label="Alert rules">
            {rules.map(rule => (
              <Rule
                key={`${rule.group}/${rule.name}`}
                rule={rule}
                silences={silences}
              />
            ))}
          </PlainList>
        </>
      )}
    </Flex>
  );
}
