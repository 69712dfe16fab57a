import { Entity } from '@backstage/catalog-model';

/**
 * Tells whether an entity is a service that the mesh lifecycle cards apply
 * to: a Component of type `service`.
 *
 * @public
 */
export function isMeshService(entity: Entity): boolean {
  return (
    entity.kind.toLocaleLowerCase('en-US') === 'component' &&
    entity.spec?.type === 'service'
  );
}
