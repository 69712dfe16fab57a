import { Flex, Text } from '@backstage/ui';
import {
  ValidationFinding,
  ValidationSeverity,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { StatusIcon, Tone } from './StatusIcon';
import { PlainList } from './PlainList';

const SEVERITY_TONE: Record<ValidationSeverity, Tone> = {
  error: 'danger',
  warning: 'warning',
  info: 'unknown',
};

const ORDER: Record<ValidationSeverity, number> = {
  error: 0,
  warning: 1,
  info: 2,
};

/** Findings, errors first, keeping the order among equals. */
export function bySeverity<T extends { severity: ValidationSeverity }>(
  findings: T[],
): T[] {
  return [...findings].sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
}

/** `2 errors, 1 warning`; `no findings` for none. */
export function countFindings(findings: ValidationFinding[]): string {
  const counts = bySeverity(findings).reduce<Map<ValidationSeverity, number>>(
    (all, f) => all.set(f.severity, (all.get(f.severity) ?? 0) + 1),
    new Map(),
  );
  const words: Record<ValidationSeverity, [string, string]> = {
    error: ['error', 'errors'],
    warning: ['warning', 'warnings'],
    info: ['note', 'notes'],
  };
  const parts = [...counts].map(
    ([severity, n]) => `${n} ${words[severity][n === 1 ? 0 : 1]}`,
  );
  return parts.length ? parts.join(', ') : 'no findings';
}

/**
 * Validation findings, errors first: each with its severity (icon and
 * name), code, message, where (the object unless `withObject` is false, the
 * field, the cluster) and the fix.
 */
export function FindingList(props: {
  findings: Array<ValidationFinding & { cluster: string }>;
  label: string;
  withObject?: boolean;
}) {
  const withObject = props.withObject ?? true;
  return (
    <PlainList label={props.label} gap="2">
      {bySeverity(props.findings).map(f => (
        <li
          key={`${f.cluster}/${f.code}/${f.object.kind}/${f.object.namespace}/${f.object.name}/${f.path}`}
        >
          <Flex gap="2" align="start">
            <StatusIcon tone={SEVERITY_TONE[f.severity]} label={f.severity} />
            <Flex direction="column" gap="1">
              <Text variant="body-small">
                <strong>{f.code}</strong> {f.message}
              </Text>
              <Text variant="body-small" color="secondary">
                {withObject
                  ? `${f.object.kind} ${f.object.namespace}/${f.object.name}, ${f.path} (cluster ${f.cluster})`
                  : `field ${f.path}`}
              </Text>
              <Text variant="body-small">
                <strong>Fix:</strong> {f.hint}
              </Text>
            </Flex>
          </Flex>
        </li>
      ))}
    </PlainList>
  );
}
