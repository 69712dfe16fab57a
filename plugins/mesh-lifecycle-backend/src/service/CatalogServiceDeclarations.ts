import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  CompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ServiceDeclaration,
  readServiceDeclaration,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { ServiceDeclarations } from './types';

/**
 * Service declarations read from the catalog with the caller's credentials,
 * so the catalog's own read permission decides who sees what.
 */
export class CatalogServiceDeclarations implements ServiceDeclarations {
  private readonly catalog: CatalogService;

  constructor(options: { catalog: CatalogService }) {
    this.catalog = options.catalog;
  }

  async get(
    ref: CompoundEntityRef,
    options: { credentials: BackstageCredentials },
  ): Promise<ServiceDeclaration> {
    const entity = await this.catalog.getEntityByRef(ref, {
      credentials: options.credentials,
    });
    if (!entity) {
      throw new NotFoundError(`No entity ${stringifyEntityRef(ref)}`);
    }
    return readServiceDeclaration(entity);
  }
}
