import {
  Accordion,
  AccordionPanel,
  AccordionTrigger,
  Alert,
  Flex,
  Text,
} from '@backstage/ui';
import {
  GateResult,
  GateStatus,
  HealthVerdict,
  LifecycleResponse,
  PhaseEvidence,
  ServiceDeclaration,
  ValidationSeverity,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { PhaseStepper, phaseTitle } from '../PhaseStepper';
import { FindingList } from '../common/FindingList';
import { SourcesAlert, unansweredSources } from '../common/SourcesAlert';
import { StatusIcon, Tone } from '../common/StatusIcon';
import { PlainList } from '../common/PlainList';

const GATE_TONE: Record<GateStatus, Tone> = {
  pass: 'success',
  fail: 'danger',
  unknown: 'unknown',
};

const HEALTH: Record<HealthVerdict, { title: string; tone: Tone }> = {
  healthy: { title: 'Healthy', tone: 'success' },
  degraded: { title: 'Degraded', tone: 'warning' },
  failing: { title: 'Failing', tone: 'danger' },
  'not-ready': { title: 'Not ready', tone: 'danger' },
  idle: { title: 'Idle', tone: 'unknown' },
  unknown: { title: 'Unknown', tone: 'unknown' },
};

const FACT_TITLES: Record<PhaseEvidence['fact'], string> = {
  retired: 'Retired by a request',
  decommissioning: 'Marked decommissioning',
  scaledToZero: 'Scaled to zero',
  rolloutInProgress: 'Rollout in progress',
  hasTraffic: 'Receives traffic',
  replacementNamed: 'Replacement named',
  runsIn: 'Runs in',
  deployedIn: 'Deployed in',
  declaredPhase: 'Declared phase',
  trafficTrend: 'Traffic trend',
};

function Section(props: { title: string; children: React.ReactNode }) {
  return (
    <section aria-label={props.title}>
      <Flex direction="column" gap="2">
        <Text as="h4" variant="title-x-small" weight="bold">
          {props.title}
        </Text>
        {props.children}
      </Flex>
    </section>
  );
}

function factValue(evidence: PhaseEvidence): string {
  if (evidence.value === true) return 'yes';
  if (evidence.value === false) return 'no';
  return String(evidence.value);
}

/** Its replacement or predecessor, as the catalog names them. */
function Succession(props: { declaration?: ServiceDeclaration }) {
  const { replacedBy, replaces } = props.declaration ?? {};
  if (!replacedBy && !replaces) return null;
  return (
    <Text variant="body-small">
      {replacedBy === 'none' && 'Retires without a replacement. '}
      {replacedBy && replacedBy !== 'none' && (
        <>
          Replaced by <EntityRefLink entityRef={replacedBy} />.{' '}
        </>
      )}
      {replaces && (
        <>
          Replaces <EntityRefLink entityRef={replaces} />.
        </>
      )}
    </Text>
  );
}

/** The phase in force, how it was reached, and what may be wrong with it. */
function PhasePart(props: {
  answer: LifecycleResponse;
  declaration?: ServiceDeclaration;
}) {
  const { phase } = props.answer;
  const { uncertain, declared } = phase;
  let how = `inferred: ${phase.rule.description}`;
  if (declared?.source === 'annotation') {
    how = 'declared by the mesh-lifecycle.io/phase annotation';
  } else if (uncertain?.kept) {
    how = `kept from the ${
      uncertain.kept.from === 'recorded' ? 'lifecycle history' : 'catalog'
    }: the evidence is incomplete`;
  }
  return (
    <Flex direction="column" gap="2">
      <PhaseStepper phase={phase.phase} />
      <Text variant="body-medium">
        <strong>{phaseTitle(phase.phase)}</strong> — {how}
        {phase.inferred !== phase.phase &&
          ` (the evidence says ${phaseTitle(phase.inferred)})`}
      </Text>
      <Succession declaration={props.declaration} />
      {uncertain && (
        <Alert
          status="warning"
          icon
          title={`Uncertain: it could also be ${uncertain.possible
            .filter(p => p !== phase.phase)
            .map(phaseTitle)
            .join(', ')}`}
          description={
            <ul style={{ margin: 0, paddingLeft: 'var(--bui-space-4)' }}>
              {uncertain.unknownFacts.map(u => (
                <li key={u.fact}>
                  {FACT_TITLES[u.fact]} is unknown: {u.reason}
                </li>
              ))}
            </ul>
          }
        />
      )}
      {phase.contradictions.map(c => (
        <Alert
          key={c.message}
          status="warning"
          icon
          title={`Contradiction: ${c.message}`}
          description={`Sources: ${c.sources.join(', ')}`}
        />
      ))}
    </Flex>
  );
}

/** Sources that did not answer: what the answer is missing and why. */
function Unanswered(props: { answer: LifecycleResponse }) {
  const { answer } = props;
  const failed = unansweredSources(answer.validation);
  const names = answer.phase.unanswered.filter(
    name => !answer.validation.some(v => `cluster ${v.source}` === name),
  );
  return (
    <SourcesAlert
      title="Some sources did not answer: the facts they give are unknown, and the rest is shown"
      lines={[...failed, ...names]}
    />
  );
}

/** A gate with its status, evidence and, unless it passes, how to pass it. */
export function Gate(props: { gate: GateResult }) {
  const { gate } = props;
  return (
    <li>
      <Flex gap="2" align="start">
        <StatusIcon tone={GATE_TONE[gate.status]} label={gate.status} />
        <Flex direction="column" gap="1">
          <Text variant="body-medium" weight="bold">
            {gate.title}
          </Text>
          {gate.evidence.map(line => (
            <Text key={line} variant="body-small" color="secondary">
              {line}
            </Text>
          ))}
          {gate.status !== 'pass' && (
            <Text variant="body-small">
              <strong>To pass:</strong> {gate.hint}
            </Text>
          )}
        </Flex>
      </Flex>
    </li>
  );
}

function GatesPart(props: { answer: LifecycleResponse }) {
  const { gates } = props.answer;
  const passing = gates.gates.filter(g => g.status === 'pass').length;
  const title = gates.to
    ? `Gates to ${phaseTitle(gates.to)}`
    : 'To finish retiring';
  return (
    <Section title={title}>
      <Text variant="body-small" color="secondary">
        {passing} of {gates.gates.length} pass
        {gates.passed ? ': ready to move on' : ''}
      </Text>
      <PlainList label={title}>
        {gates.gates.map(gate => (
          <Gate key={gate.id} gate={gate} />
        ))}
      </PlainList>
    </Section>
  );
}

function HealthPart(props: { answer: LifecycleResponse }) {
  const { health } = props.answer;
  const { title, tone } = HEALTH[health.verdict];
  return (
    <Section title="Health">
      <Flex gap="2" align="center">
        <StatusIcon tone={tone} label={title} />
        <Text variant="body-medium" weight="bold">
          {title}
        </Text>
      </Flex>
      <ul style={{ margin: 0, paddingLeft: 'var(--bui-space-4)' }}>
        {health.reasons.map(reason => (
          <li key={`${reason.source}/${reason.message}`}>
            <Text variant="body-small">
              {reason.message}{' '}
              <Text as="span" variant="body-small" color="secondary">
                ({reason.source})
              </Text>
            </Text>
          </li>
        ))}
      </ul>
    </Section>
  );
}

function ValidationPart(props: { answer: LifecycleResponse }) {
  const counts: Record<ValidationSeverity, number> = {
    error: 0,
    warning: 0,
    info: 0,
  };
  for (const source of props.answer.validation) {
    if (source.status !== 'ok') continue;
    for (const finding of source.findings) counts[finding.severity]++;
  }
  const total = counts.error + counts.warning + counts.info;
  let tone: Tone = 'success';
  if (counts.error) tone = 'danger';
  else if (counts.warning) tone = 'warning';
  const answered = props.answer.validation.some(v => v.status === 'ok');
  const findings = props.answer.validation.flatMap(v =>
    v.status === 'ok' ? v.findings.map(f => ({ cluster: v.source, ...f })) : [],
  );
  return (
    <Section title="Mesh configuration">
      <Flex gap="2" align="center">
        <StatusIcon
          tone={answered ? tone : 'unknown'}
          label={answered ? `${total} findings` : 'not validated'}
        />
        <Text variant="body-small">
          {answered
            ? `${counts.error} errors, ${counts.warning} warnings, ${counts.info} notes from the validator (Kiali's checks)`
            : 'not validated: no cluster answered'}
        </Text>
      </Flex>
      {findings.length > 0 && (
        <FindingList findings={findings} label="Validation findings" />
      )}
    </Section>
  );
}

function EvidencePart(props: { answer: LifecycleResponse }) {
  const { evidence } = props.answer.phase;
  return (
    <Accordion>
      <AccordionTrigger title={`Evidence (${evidence.length} facts)`} />
      <AccordionPanel>
        <ul style={{ margin: 0, paddingLeft: 'var(--bui-space-4)' }}>
          {evidence.map((e, i) => (
            <li key={`${e.fact}/${e.source}/${i}`}>
              <Text variant="body-small">
                {FACT_TITLES[e.fact]}: <strong>{factValue(e)}</strong>
                {e.detail ? ` — ${e.detail}` : ''}{' '}
                <Text as="span" variant="body-small" color="secondary">
                  ({e.source})
                </Text>
              </Text>
            </li>
          ))}
        </ul>
      </AccordionPanel>
    </Accordion>
  );
}

/**
 * Everything the `lifecycle` answer says, for the lifecycle card: the phase
 * with how it was reached, uncertainty and contradictions, the sources that
 * did not answer, the gates to the next phase, health, a summary of the
 * validation and the evidence.
 */
export function LifecycleView(props: {
  answer: LifecycleResponse;
  /** What the entity declares, for its replacement. */
  declaration?: ServiceDeclaration;
}) {
  const { answer } = props;
  return (
    <Flex direction="column" gap="4">
      <PhasePart answer={answer} declaration={props.declaration} />
      <Unanswered answer={answer} />
      <GatesPart answer={answer} />
      <HealthPart answer={answer} />
      <ValidationPart answer={answer} />
      <EvidencePart answer={answer} />
    </Flex>
  );
}
