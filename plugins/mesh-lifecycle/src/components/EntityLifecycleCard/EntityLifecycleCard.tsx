import { Entity } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Flex } from '@backstage/ui';
import {
  ServiceDeclaration,
  readServiceDeclaration,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { EntityAnswerCard } from '../common/EntityAnswerCard';
import { LifecycleView } from './LifecycleView';
import { RetirementSection } from './RetirementSection';

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
 * the gates to its next phase, its health and what could not be seen; for
 * a service in operate or retire, its retirement requests and a "Request
 * retirement" button.
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
        <Flex direction="column" gap="4">
          <LifecycleView answer={answer} declaration={declarationOf(entity)} />
          {(answer.phase.phase === 'operate' ||
            answer.phase.phase === 'retire') && (
            <RetirementSection
              entityRef={answer.entityRef}
              refreshedWith={answer}
            />
          )}
        </Flex>
      )}
    </EntityAnswerCard>
  );
}
