import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { Alert, Flex, Text } from '@backstage/ui';
import useAsync from 'react-use/esm/useAsync';
import { meshLifecycleApiRef } from '../../api';
import { phaseTitle } from '../PhaseStepper';
import { PlainList } from '../common/PlainList';
import { Gate } from '../EntityLifecycleCard/LifecycleView';
import { MeshRetirementBlockersProps } from './schema';

/** What a request files with: the retire conditions that must hold. */
const PRECONDITIONS = [
  'no-inbound-requests',
  'no-dependents',
  'replacement-named',
  'owners-notified',
];

/**
 * Scaffolder field (`ui:field: MeshRetirementBlockers`): before a
 * retirement request is filed, the service's retire conditions over the
 * chosen drain window, each with its evidence — who still calls it and at
 * what rate, who depends on it. It takes no value; the request itself
 * judges them again.
 *
 * @public
 */
export function MeshRetirementBlockers(props: MeshRetirementBlockersProps) {
  const options = props.uiSchema?.['ui:options'];
  const formData = (props.formContext?.formData ?? {}) as Record<
    string,
    unknown
  >;
  const entity = formData[options?.entityField ?? 'entity'];
  const drain = formData[options?.drainWindowField ?? 'drainWindowSeconds'];
  const api = useApi(meshLifecycleApiRef);
  const answer = useAsync(async () => {
    if (typeof entity !== 'string' || !entity) return undefined;
    return api.getLifecycle(entity, {
      ...(typeof drain === 'number' ? { drainWindowSeconds: drain } : {}),
    });
  }, [api, entity, drain]);

  let body;
  if (typeof entity !== 'string' || !entity) {
    body = (
      <Text variant="body-small">
        Pick the service first: its retire conditions show here.
      </Text>
    );
  } else if (answer.loading) {
    body = <Progress />;
  } else if (answer.error || !answer.value) {
    body = (
      <Alert
        status="warning"
        icon
        title="The retire conditions could not be read"
        description={`${
          answer.error?.message ?? 'no answer'
        }. The request judges them anyway, and refuses if one does not hold.`}
      />
    );
  } else {
    const { gates } = answer.value;
    const shown = gates.gates.filter(g => PRECONDITIONS.includes(g.id));
    body =
      shown.length === 0 ? (
        <Alert
          status="warning"
          icon
          title={`It is in ${phaseTitle(
            gates.from,
          )}: a retirement starts from Operate or Retire`}
        />
      ) : (
        <PlainList label="Retire conditions" gap="2">
          {shown.map(g => (
            <Gate key={g.id} gate={g} />
          ))}
        </PlainList>
      );
  }
  return (
    <section aria-label="Current blockers">
      <Flex direction="column" gap="2" style={{ margin: '16px 0' }}>
        <Text as="h3" variant="title-x-small" weight="bold">
          {props.schema?.title ?? 'Current blockers'}
        </Text>
        {body}
      </Flex>
    </section>
  );
}
