import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { Entity } from '@backstage/catalog-model';
import { EntityInfoCard, useEntity } from '@backstage/plugin-catalog-react';
import {
  ServiceDeclaration,
  readServiceDeclaration,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { ButtonIcon } from '@backstage/ui';
import { RiRefreshLine } from '@remixicon/react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { meshLifecycleApiRef } from '../../api';
import { LifecycleView } from './LifecycleView';

/** What the entity declares; a malformed annotation is the backend's to report. */
function declarationOf(entity: Entity): ServiceDeclaration | undefined {
  try {
    return readServiceDeclaration(entity);
  } catch {
    return undefined;
  }
}

/**
 * Entity card: the service's lifecycle phase with the evidence behind it,
 * the gates to its next phase, its health and what could not be seen.
 *
 * @public
 */
export function EntityLifecycleCard() {
  const { entity } = useEntity();
  const api = useApi(meshLifecycleApiRef);
  const ref = getCompoundEntityRef(entity);
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.getLifecycle(ref),
    [api, ref.kind, ref.namespace, ref.name],
  );

  return (
    <EntityInfoCard
      className="mesh-lifecycle"
      title="Mesh lifecycle"
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
      {value && !error && (
        <LifecycleView answer={value} declaration={declarationOf(entity)} />
      )}
    </EntityInfoCard>
  );
}
