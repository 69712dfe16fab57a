import { Entity } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  ServiceDeclaration,
  readServiceDeclaration,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { EntityAnswerCard } from '../common/EntityAnswerCard';
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
  return (
    <EntityAnswerCard
      title="Mesh lifecycle"
      load={(api, ref) => api.getLifecycle(ref)}
    >
      {answer => (
        <LifecycleView answer={answer} declaration={declarationOf(entity)} />
      )}
    </EntityAnswerCard>
  );
}
