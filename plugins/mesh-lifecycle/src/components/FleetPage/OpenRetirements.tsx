import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { Flex, Text } from '@backstage/ui';
import { RetirementRecord } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { RETIREMENT_STATES } from '../EntityLifecycleCard/RetirementSection';
import { PlainList } from '../common/PlainList';
import { RelativeTime } from '../common/RelativeTime';
import { StatusIcon } from '../common/StatusIcon';

/**
 * The fleet's open retirement requests: each service whose newest request
 * is not completed, where it stands and what holds it up.
 */
export function OpenRetirements(props: { requests: RetirementRecord[] }) {
  return (
    <section aria-label="Open retirement requests">
      <Flex direction="column" gap="2">
        <Text as="h3" variant="title-x-small" weight="bold">
          Open retirement requests
        </Text>
        {props.requests.length === 0 ? (
          <Text variant="body-small" color="secondary">
            No open retirement request. Request one from a service's lifecycle
            card (services in operate or retire).
          </Text>
        ) : (
          <PlainList label="Open retirement requests" gap="2">
            {props.requests.map(r => {
              const state = RETIREMENT_STATES[r.state];
              return (
                <li key={r.id}>
                  <Flex gap="2" align="start">
                    <StatusIcon tone={state.tone} label={state.label} />
                    <Flex direction="column" gap="1">
                      <Text variant="body-medium">
                        <EntityRefLink entityRef={r.entityRef} />:{' '}
                        {state.title.toLocaleLowerCase('en-GB')}
                      </Text>
                      <Text variant="body-small" color="secondary">
                        Requested <RelativeTime iso={r.requestedAt} />
                        {r.requestedBy && (
                          <>
                            {' '}
                            by <EntityRefLink entityRef={r.requestedBy} />
                          </>
                        )}
                        {r.blockers.length > 0 &&
                          ` — ${r.blockers.length} blocker${
                            r.blockers.length === 1 ? '' : 's'
                          }: ${r.blockers[0]}${
                            r.blockers.length > 1 ? '; …' : ''
                          }`}
                      </Text>
                    </Flex>
                  </Flex>
                </li>
              );
            })}
          </PlainList>
        )}
      </Flex>
    </section>
  );
}
