import { Flex, Text } from '@backstage/ui';
import {
  LifecycleHistoryResponse,
  LifecycleRecord,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { phaseTitle } from '../PhaseStepper';
import { RelativeTime } from '../common/RelativeTime';
import { PlainList } from '../common/PlainList';

/** What changed from the record before (older) to this one. */
export function changes(
  record: LifecycleRecord,
  before: LifecycleRecord | undefined,
): string[] {
  if (!before) return ['first record'];
  const lines: string[] = [];
  if (record.phase !== before.phase) {
    lines.push(
      `phase ${phaseTitle(before.phase)} → ${phaseTitle(record.phase)}`,
    );
  }
  if (record.inferred !== before.inferred) {
    lines.push(
      `inferred ${phaseTitle(before.inferred)} → ${phaseTitle(
        record.inferred,
      )}`,
    );
  }
  if (record.health !== before.health) {
    lines.push(`health ${before.health} → ${record.health}`);
  }
  const old = new Map(before.gates.map(g => [g.id, g.status]));
  for (const gate of record.gates) {
    const was = old.get(gate.id);
    if (was === undefined) lines.push(`gate ${gate.id}: ${gate.status}`);
    else if (was !== gate.status) {
      lines.push(`gate ${gate.id} ${was} → ${gate.status}`);
    }
  }
  return lines;
}

/**
 * The recorded changes of a service's lifecycle, newest first: when, the
 * phase and health then, and what changed from the record before.
 */
export function HistoryView(props: { answer: LifecycleHistoryResponse }) {
  const { records } = props.answer;
  if (records.length === 0) {
    return (
      <Text variant="body-small">
        Nothing recorded yet: the backend records each service's lifecycle on a
        schedule (meshLifecycle.history.frequency) and keeps the changes.
      </Text>
    );
  }
  return (
    <PlainList label="Lifecycle history" ordered>
      {records.map((record, i) => {
        const passing = record.gates.filter(g => g.status === 'pass').length;
        return (
          <li key={record.recordedAt}>
            <Flex direction="column" gap="1">
              <Text variant="body-medium">
                <strong>{phaseTitle(record.phase)}</strong>, {record.health},{' '}
                {passing} of {record.gates.length} gates pass{' '}
                <Text as="span" variant="body-small" color="secondary">
                  (<RelativeTime iso={record.recordedAt} />)
                </Text>
              </Text>
              <Text variant="body-small" color="secondary">
                {changes(record, records[i + 1]).join('; ')}
              </Text>
            </Flex>
          </li>
        );
      })}
    </PlainList>
  );
}
