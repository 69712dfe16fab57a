import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { Alert, Flex, Text } from '@backstage/ui';
import {
  TrafficShiftRecord,
  TrafficShiftsResponse,
  WeightedDestination,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { PlainList } from '../common/PlainList';
import { RelativeTime } from '../common/RelativeTime';
import { StatusIcon, Tone } from '../common/StatusIcon';

const KINDS: Record<TrafficShiftRecord['kind'], string> = {
  canary: 'Canary',
  switch: 'Blue-green switch',
  weights: 'Weights set',
  migrate: 'Migration',
};

const OUTCOMES: Record<
  TrafficShiftRecord['outcome'],
  { tone: Tone; label: string }
> = {
  running: { tone: 'unknown', label: 'running' },
  completed: { tone: 'success', label: 'completed' },
  'rolled-back': { tone: 'danger', label: 'rolled back' },
  failed: { tone: 'warning', label: 'stopped' },
};

const VERDICTS: Record<
  TrafficShiftRecord['steps'][number]['verdict'],
  { tone: Tone; label: string }
> = {
  pass: { tone: 'success', label: 'pass' },
  fail: { tone: 'danger', label: 'fail' },
  inconclusive: { tone: 'warning', label: 'inconclusive' },
};

/** `v1 90 % / v2 10 %`: subsets by name, hosts where there is none. */
export function describeSplit(weights: WeightedDestination[]): string {
  return weights
    .map(w => `${w.subset ?? w.host.split('.')[0]} ${w.weight} %`)
    .join(' / ');
}

/** A step's figures with units; what was not measured says so. */
export function describeFigures(
  figures: TrafficShiftRecord['steps'][number]['figures'],
): string {
  const requests =
    figures.requests === null
      ? 'requests not measured'
      : `${Math.round(figures.requests)} requests`;
  const ratio =
    figures.ratio5xx === null
      ? '5xx not measured'
      : `5xx ${(figures.ratio5xx * 100).toFixed(2)} %`;
  const p95 =
    figures.p95LatencyMs === null
      ? 'p95 not measured'
      : `p95 ${Math.round(figures.p95LatencyMs)} ms`;
  return `${requests}, ${ratio}, ${p95}`;
}

function Shift(props: { shift: TrafficShiftRecord }) {
  const { shift } = props;
  const outcome = OUTCOMES[shift.outcome];
  const t = shift.thresholds;
  const seconds =
    shift.finishedAt !== undefined
      ? Math.round(
          (new Date(shift.finishedAt).getTime() -
            new Date(shift.startedAt).getTime()) /
            1000,
        )
      : undefined;
  return (
    <li>
      <Flex gap="2" align="start">
        <StatusIcon tone={outcome.tone} label={outcome.label} />
        <Flex direction="column" gap="1">
          <Text variant="body-medium" weight="bold">
            {KINDS[shift.kind]}: {describeSplit(shift.from)} →{' '}
            {describeSplit(shift.to)}{' '}
            <Text as="span" variant="body-small" color="secondary">
              {outcome.label}
            </Text>
          </Text>
          <Text variant="body-small" color="secondary">
            Started <RelativeTime iso={shift.startedAt} />
            {shift.initiatedBy && (
              <>
                {' '}
                by <EntityRefLink entityRef={shift.initiatedBy} />
              </>
            )}
            {seconds !== undefined && `, took ${seconds} s`}; VirtualService{' '}
            {shift.namespace}/{shift.virtualService}
            {shift.route ? `, route ${shift.route}` : ''} on {shift.cluster}
          </Text>
          <Text variant="body-small" color="secondary">
            Each step judged over {shift.pauseSeconds} s: 5xx at most{' '}
            {t.max5xxPercent} %, p95 at most {t.maxP95LatencyMs} ms, at least{' '}
            {t.minRequests} requests (fewer:{' '}
            {t.onInconclusive === 'fail' ? 'roll back' : 'go on'})
          </Text>
          {shift.forcedBecause && (
            <Text variant="body-small" color="warning">
              Taken over from the controller that manages the route:{' '}
              {shift.forcedBecause}
            </Text>
          )}
          {shift.steps.length > 0 && (
            <PlainList
              label={`Steps of the ${KINDS[
                shift.kind
              ].toLowerCase()} to ${describeSplit(shift.to)}`}
              gap="2"
              ordered
            >
              {shift.steps.map(step => {
                const verdict = VERDICTS[step.verdict];
                return (
                  <li key={step.index}>
                    <Flex gap="2" align="start">
                      <StatusIcon tone={verdict.tone} label={verdict.label} />
                      <Text variant="body-small">
                        Step {step.index}, {describeSplit(step.weights)}:{' '}
                        {verdict.label} — {describeFigures(step.figures)} on{' '}
                        {step.analysed.subset ?? step.analysed.host}
                        {step.verdict !== 'pass' &&
                          step.reasons.length > 0 &&
                          ` (${step.reasons.join('; ')})`}
                      </Text>
                    </Flex>
                  </li>
                );
              })}
            </PlainList>
          )}
          {shift.message && shift.outcome !== 'completed' && (
            <Text variant="body-small">{shift.message}</Text>
          )}
        </Flex>
      </Flex>
    </li>
  );
}

/**
 * The service's last traffic shifts (mesh:traffic:shift), newest first:
 * what moved, who moved it, what each step measured and how it ended.
 */
export function TrafficShifts(props: { answer: TrafficShiftsResponse }) {
  if (props.answer.shifts.length === 0) {
    return (
      <Alert
        status="info"
        icon
        title="No traffic shift recorded"
        description="Shift this service's traffic with analysis and rollback from the portal: run the Canary release or Blue-green switch template (Create)."
      />
    );
  }
  return (
    <PlainList label="Traffic shifts" ordered>
      {props.answer.shifts.map(shift => (
        <Shift key={shift.id} shift={shift} />
      ))}
    </PlainList>
  );
}
