import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { CompoundEntityRef } from '@backstage/catalog-model';
import { ServiceDeclaration } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';

/**
 * Reads what the catalog declares about a service, on behalf of a caller.
 */
export interface ServiceDeclarations {
  /**
   * The validated declaration of the entity. Throws `NotFoundError` when the
   * entity does not exist or the caller may not read it, and `InputError`
   * when one of its annotations is malformed.
   */
  get(
    ref: CompoundEntityRef,
    options: { credentials: BackstageCredentials },
  ): Promise<ServiceDeclaration>;
}
