import { Progress } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { useApi } from '@backstage/frontend-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  Accordion,
  AccordionPanel,
  AccordionTrigger,
  Alert,
  ButtonLink,
  Flex,
  Text,
} from '@backstage/ui';
import {
  ArchivedObjectRecord,
  RetirementRecord,
  RetirementState,
  RetirementsResponse,
  describePeriod,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { meshLifecycleApiRef } from '../../api';
import { createFromTemplateRouteRef } from '../../routes';
import { PlainList } from '../common/PlainList';
import { RelativeTime } from '../common/RelativeTime';
import { StatusIcon, Tone } from '../common/StatusIcon';
import { YamlBlock } from '../common/YamlBlock';

/** The template a retirement request runs. */
export const RETIRE_SERVICE_TEMPLATE = {
  namespace: 'default',
  templateName: 'retire-service',
};

/** How each state of a retirement request reads. */
export const RETIREMENT_STATES: Record<
  RetirementState,
  { tone: Tone; label: string; title: string }
> = {
  requested: {
    tone: 'unknown',
    label: 'requested',
    title: 'Retirement requested',
  },
  running: { tone: 'unknown', label: 'running', title: 'Retirement running' },
  completed: { tone: 'success', label: 'retired', title: 'Retired' },
  refused: { tone: 'danger', label: 'refused', title: 'Retirement refused' },
  failed: { tone: 'warning', label: 'stopped', title: 'Retirement stopped' },
};

const STEP_WORDS: Record<RetirementRecord['steps'][number]['step'], string> = {
  mark: 'marked decommissioning',
  scale: 'scaled to zero',
  archive: 'archived',
  delete: 'deleted',
};

/** `10 deleted, 10 archived, 1 scaled to zero, 10 marked decommissioning`. */
function describeSteps(steps: RetirementRecord['steps']): string {
  const done = (['delete', 'archive', 'scale', 'mark'] as const)
    .map(step => ({
      step,
      count: steps.filter(
        s =>
          s.step === step &&
          s.outcome !== 'already gone' &&
          !s.outcome.startsWith('not '),
      ).length,
    }))
    .filter(s => s.count > 0);
  return done.map(s => `${s.count} ${STEP_WORDS[s.step]}`).join(', ');
}

/** What a retirement deleted, as it was: loaded when opened. */
function ArchivedObjects(props: { request: RetirementRecord }) {
  const api = useApi(meshLifecycleApiRef);
  const { value, loading, error } = useAsync(
    () => api.getRetirementArchive(props.request.id),
    [api, props.request.id],
  );
  if (loading) return <Progress />;
  if (error) {
    return (
      <Alert
        status="danger"
        icon
        title="The archive could not be read"
        description={`${error.message}. Close and open this list to ask again.`}
      />
    );
  }
  if (!value || value.objects.length === 0) {
    return (
      <Text variant="body-small">
        Nothing was archived: the run deleted nothing.
      </Text>
    );
  }
  return (
    <PlainList label="Archived objects" gap="2">
      {value.objects.map(o => (
        <li key={`${o.kind}/${o.namespace ?? ''}/${o.name}/${o.uid ?? ''}`}>
          <ArchivedObject object={o} />
        </li>
      ))}
    </PlainList>
  );
}

/** One archived object: its name, its YAML when opened. */
function ArchivedObject(props: { object: ArchivedObjectRecord }) {
  const o = props.object;
  const [open, setOpen] = useState(false);
  const name = `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
  return (
    <Accordion isExpanded={open} onExpandedChange={setOpen}>
      <AccordionTrigger title={name} />
      <AccordionPanel>
        {open && <YamlBlock text={o.yaml} label={`${name} as archived`} />}
      </AccordionPanel>
    </Accordion>
  );
}

function ArchiveAccordion(props: { request: RetirementRecord }) {
  const [open, setOpen] = useState(false);
  const archived = props.request.steps.filter(s => s.step === 'archive');
  return (
    <Accordion isExpanded={open} onExpandedChange={setOpen}>
      <AccordionTrigger
        title={`Archived objects (${archived.length})`}
        subtitle="Each deleted object as it was, as YAML; Secrets without their values unless asked"
      />
      <AccordionPanel>
        {open && <ArchivedObjects request={props.request} />}
      </AccordionPanel>
    </Accordion>
  );
}

/** The newest request: where it stands, why, what it did. */
function Request(props: { request: RetirementRecord }) {
  const { request } = props;
  const state = RETIREMENT_STATES[request.state];
  const steps = describeSteps(request.steps);
  return (
    <Flex direction="column" gap="2">
      <Flex gap="2" align="center">
        <StatusIcon tone={state.tone} label={state.label} />
        <Text variant="body-medium" weight="bold">
          {state.title}
        </Text>
      </Flex>
      <Text variant="body-small" color="secondary">
        Requested <RelativeTime iso={request.requestedAt} />
        {request.requestedBy && (
          <>
            {' '}
            by <EntityRefLink entityRef={request.requestedBy} />
          </>
        )}
        : {request.reason}
      </Text>
      <Text variant="body-small" color="secondary">
        {request.replacement && request.replacement !== 'none' ? (
          <>
            Replacement <EntityRefLink entityRef={request.replacement} />;{' '}
          </>
        ) : (
          'No replacement; '
        )}
        no inbound requests needed for{' '}
        {describePeriod(request.drainWindowSeconds)}; {request.cluster}/
        {request.namespace}
      </Text>
      {request.notified && (
        <Text variant="body-small" color="secondary">
          {request.notified.owners.length
            ? `Notified the owners of its dependents: ${request.notified.owners.join(
                ', ',
              )}`
            : 'Nothing depended on it: nobody to notify'}
        </Text>
      )}
      {request.blockers.length > 0 && (
        <Flex direction="column" gap="1">
          <Text variant="body-small" weight="bold">
            {request.forcedBecause
              ? `Blockers, forced past: ${request.forcedBecause}`
              : 'Blockers'}
          </Text>
          <ul style={{ margin: 0, paddingLeft: 'var(--bui-space-4)' }}>
            {request.blockers.map(b => (
              <li key={b}>
                <Text variant="body-small">{b}</Text>
              </li>
            ))}
          </ul>
        </Flex>
      )}
      {request.state === 'running' && (
        <Text variant="body-small">
          Running since <RelativeTime iso={request.updatedAt} />: its task in
          the scaffolder shows each object as it goes.
        </Text>
      )}
      {steps && (
        <Text variant="body-small">
          Objects: {steps}
          {request.finishedAt && (
            <>
              {' '}
              (finished <RelativeTime iso={request.finishedAt} />)
            </>
          )}
        </Text>
      )}
      {request.message && request.state !== 'completed' && (
        <Text variant="body-small">
          {request.message}
          {request.state === 'failed' &&
            ' Retry its task in the scaffolder: it resumes where it stopped.'}
        </Text>
      )}
      {request.steps.some(s => s.step === 'archive') && (
        <ArchiveAccordion request={request} />
      )}
    </Flex>
  );
}

function RetirementBody(props: {
  answer: RetirementsResponse;
  requestHref?: string;
}) {
  const [newest, ...earlier] = props.answer.retirements;
  const running = newest?.state === 'running';
  return (
    <Flex direction="column" gap="3">
      {newest ? (
        <Request request={newest} />
      ) : (
        <Text variant="body-small">
          No retirement requested. A request checks who still calls or depends
          on it, notifies their owners and shows the plan before anything is
          removed.
        </Text>
      )}
      {earlier.length > 0 && (
        <Text variant="body-small" color="secondary">
          Earlier:{' '}
          {earlier
            .map(
              r =>
                `${RETIREMENT_STATES[r.state].label} ${new Date(
                  r.requestedAt,
                ).toLocaleDateString('en-GB')}`,
            )
            .join(', ')}
        </Text>
      )}
      {!running &&
        newest?.state !== 'completed' &&
        (props.requestHref ? (
          <div>
            <ButtonLink href={props.requestHref} variant="secondary">
              Request retirement
            </ButtonLink>
          </div>
        ) : (
          <Text variant="body-small" color="secondary">
            Request it with the retire-service template (Create); bind the
            createFromTemplate route of mesh-lifecycle to the scaffolder for a
            button here.
          </Text>
        ))}
    </Flex>
  );
}

/**
 * The retirement part of the lifecycle card, for services in operate or
 * retire: the newest request with its blockers, progress and archive, and
 * a "Request retirement" button opening the retire-service template with
 * the service filled in.
 */
export function RetirementSection(props: {
  entityRef: string;
  /** Asked again whenever this changes (the card's answer, on refresh). */
  refreshedWith?: unknown;
}) {
  const api = useApi(meshLifecycleApiRef);
  const createFromTemplate = useRouteRef(createFromTemplateRouteRef);
  const { value, loading, error } = useAsync(
    () => api.getRetirements(props.entityRef, { limit: 5 }),
    [api, props.entityRef, props.refreshedWith],
  );
  const requestHref = createFromTemplate
    ? `${createFromTemplate(RETIRE_SERVICE_TEMPLATE)}?${new URLSearchParams({
        formData: JSON.stringify({ entity: props.entityRef }),
      })}`
    : undefined;
  return (
    <section aria-label="Retirement">
      <Flex direction="column" gap="2">
        <Text as="h4" variant="title-x-small" weight="bold">
          Retirement
        </Text>
        {loading && <Progress />}
        {error && (
          <Alert
            status="warning"
            icon
            title="Retirement requests could not be read"
            description={`${error.message}. The rest of the card stands; refresh it to ask again.`}
          />
        )}
        {value && <RetirementBody answer={value} requestHref={requestHref} />}
      </Flex>
    </section>
  );
}
