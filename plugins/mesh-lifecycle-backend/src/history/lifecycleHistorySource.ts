import {
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_KUBERNETES_ID,
  ANNOTATION_KUBERNETES_LABEL_SELECTOR,
  LifecycleResponse,
  LifecycleSnapshot,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { LifecycleReader } from '../service/LifecycleReader';
import { ServiceDeclarations } from '../service/types';

/** What the history records of a lifecycle answer. */
export function lifecycleSnapshot(
  answer: LifecycleResponse,
): LifecycleSnapshot {
  return {
    entityRef: answer.entityRef,
    phase: answer.phase.phase,
    inferred: answer.phase.inferred,
    health: answer.health.verdict,
    gates: answer.gates.gates.map(g => ({ id: g.id, status: g.status })),
  };
}

/**
 * The services the history task records and how it evaluates each: every
 * catalog entity that names its Kubernetes objects, read with the plugin's
 * own service credentials.
 */
export function lifecycleHistorySource(options: {
  auth: AuthService;
  catalog: CatalogService;
  declarations: ServiceDeclarations;
  lifecycle: LifecycleReader;
}) {
  const { auth, catalog, declarations, lifecycle } = options;
  const credentials = (): Promise<BackstageCredentials> =>
    auth.getOwnServiceCredentials();
  return {
    async listServices(): Promise<string[]> {
      const { items } = await catalog.getEntities(
        {
          filter: [
            {
              [`metadata.annotations.${ANNOTATION_KUBERNETES_ID}`]:
                CATALOG_FILTER_EXISTS,
            },
            {
              [`metadata.annotations.${ANNOTATION_KUBERNETES_LABEL_SELECTOR}`]:
                CATALOG_FILTER_EXISTS,
            },
          ],
          fields: ['kind', 'metadata.namespace', 'metadata.name'],
        },
        { credentials: await credentials() },
      );
      return items.map(entity => stringifyEntityRef(entity));
    },
    async evaluate(entityRef: string): Promise<LifecycleSnapshot> {
      const own = await credentials();
      const declaration = await declarations.get(parseEntityRef(entityRef), {
        credentials: own,
      });
      return lifecycleSnapshot(
        await lifecycle.read(declaration, { credentials: own }),
      );
    },
  };
}
