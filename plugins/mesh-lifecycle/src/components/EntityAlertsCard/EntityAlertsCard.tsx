import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { EntityInfoCard, useEntity } from '@backstage/plugin-catalog-react';
import { ButtonIcon } from '@backstage/ui';
import { RiRefreshLine } from '@remixicon/react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { meshLifecycleApiRef } from '../../api';
import { AlertsView } from './AlertsView';

/**
 * Entity card: the service's alert rules, firing and pending alerts first,
 * with their silences.
 *
 * @public
 */
export function EntityAlertsCard() {
  const { entity } = useEntity();
  const api = useApi(meshLifecycleApiRef);
  const ref = getCompoundEntityRef(entity);
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.getAlerts(ref),
    [api, ref.kind, ref.namespace, ref.name],
  );
  return (
    <EntityInfoCard
      className="mesh-lifecycle"
      title="Mesh alerts"
      headerActions={
        <ButtonIcon
          aria-label="Refresh"
          icon={<RiRefreshLine />}
          variant="tertiary"
          isDisabled={loading}
          onPress={retry}
        />
      }
    >
      {loading && !value && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value && !error && <AlertsView answer={value} />}
    </EntityInfoCard>
  );
}
