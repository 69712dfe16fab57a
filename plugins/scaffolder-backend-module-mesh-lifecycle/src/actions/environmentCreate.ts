import { ConflictError, ServiceUnavailableError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  KubernetesObject,
} from '@kubernetes/client-node';
import {
  ANNOTATION_EXPIRES_AT,
  ANNOTATION_OWNER,
  LABEL_MANAGED_BY,
  LABEL_TEST_ENVIRONMENT,
  MANAGED_BY_MESH_LIFECYCLE,
  meshEnvironmentCreatePermission,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import {
  ClusterActionOptions,
  authorizeInitiator,
  requireConfiguredCluster,
} from '../clusterAccess';
import { describeKubernetesFailure } from '@mesh-lifecycle/plugin-mesh-lifecycle-node';
import {
  TEST_ENVIRONMENT_DEFAULTS as D,
  TEST_ENVIRONMENT_MAX_PODS,
  buildEnvironmentObjects,
  parseTtl,
} from '../environment/buildEnvironmentObjects';
import {
  MESH_LIFECYCLE_FIELD_MANAGER,
  applyObjects,
} from '../kubernetes/applyObjects';
import { objectReportsSchema } from './objectReportsSchema';
import { resourcesSchema } from './resourcesSchema';
import { examples } from './environmentCreate.examples';

/**
 * Options of {@link createEnvironmentCreateAction}.
 *
 * @public
 */
export type EnvironmentCreateActionOptions = ClusterActionOptions;

/** What is known of a namespace that already exists. */
interface ExistingNamespace {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  deleting: boolean;
}

/** What is known of the namespace on the cluster; undefined when there is none. */
async function readNamespace(
  kubeConfig: KubeConfig,
  name: string,
  cluster: string,
): Promise<ExistingNamespace | undefined> {
  try {
    const { metadata } = await kubeConfig
      .makeApiClient(CoreV1Api)
      .readNamespace({ name });
    return {
      labels: { ...metadata?.labels },
      annotations: { ...metadata?.annotations },
      deleting: metadata?.deletionTimestamp !== undefined,
    };
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return undefined;
    throw new ServiceUnavailableError(
      `Could not read namespace ${name} on cluster ${cluster}: ${describeKubernetesFailure(
        error,
      )}`,
    );
  }
}

async function createNamespace(
  kubeConfig: KubeConfig,
  objects: KubernetesObject[],
  cluster: string,
): Promise<void> {
  const namespace = objects.find(o => o.kind === 'Namespace');
  if (!namespace?.metadata?.name) return;
  const { name } = namespace.metadata;
  try {
    await kubeConfig.makeApiClient(CoreV1Api).createNamespace({
      body: namespace,
      fieldManager: MESH_LIFECYCLE_FIELD_MANAGER,
    });
  } catch (error) {
    if (error instanceof ApiException && error.code === 409) {
      throw new ConflictError(
        `Namespace ${name} was created on cluster ${cluster} by someone else while this ran; run again to see whose it is`,
      );
    }
    throw new ServiceUnavailableError(
      `Could not create namespace ${name} on cluster ${cluster}: ${describeKubernetesFailure(
        error,
      )}`,
    );
  }
}

function isTestEnvironment(existing: ExistingNamespace): boolean {
  return (
    existing.labels[LABEL_MANAGED_BY] === MANAGED_BY_MESH_LIFECYCLE &&
    existing.labels[LABEL_TEST_ENVIRONMENT] === 'true'
  );
}

/**
 * `mesh:environment:create`: an isolated test environment on a configured
 * cluster, from the seed's test phase: a Namespace with sidecar injection, a
 * NetworkPolicy that lets in only the namespace itself, `istio-system`, the
 * monitoring namespace and the namespaces named, and a ResourceQuota. The
 * namespace carries its owner and an expiry, after which the Mesh Lifecycle
 * backend deletes it.
 *
 * Running it again is safe: an existing environment of the same owner keeps
 * its expiry (unless `extend`), so nothing changes; a namespace that exists
 * but is not a Mesh Lifecycle test environment is never touched.
 *
 * @public
 */
export function createEnvironmentCreateAction(
  options: EnvironmentCreateActionOptions,
) {
  const { clusters, permissions } = options;
  return createTemplateAction({
    id: 'mesh:environment:create',
    description:
      'Creates an isolated, expiring test environment on a configured cluster: a Namespace with Istio sidecar injection, a NetworkPolicy letting in only the mesh, monitoring and named namespaces, and a ResourceQuota.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        cluster: z =>
          z
            .string()
            .describe(
              'Name of a cluster configured for Mesh Lifecycle (meshLifecycle.clusters); credentials stay in the backend configuration',
            ),
        name: z =>
          z
            .string()
            .describe('Name of the namespace to create (RFC 1123 label)'),
        owner: z =>
          z
            .string()
            .describe(
              'Entity ref of the owning group or user, e.g. group:default/team-a',
            ),
        ttl: z =>
          z
            .string()
            .optional()
            .describe(
              `How long the environment lives, e.g. 30m, 48h, 7d (default: ${D.ttl}, at most ${D.maxTtl})`,
            ),
        extend: z =>
          z
            .boolean()
            .optional()
            .describe(
              'When the environment exists already, restart its time to live from now; otherwise it keeps its expiry',
            ),
        quota: z =>
          resourcesSchema(z)
            .extend({
              pods: z
                .number()
                .int()
                .min(1)
                .max(TEST_ENVIRONMENT_MAX_PODS)
                .optional(),
            })
            .optional()
            .describe(
              `ResourceQuota of the namespace (default: requests ${D.quota.requests.cpu} CPU / ${D.quota.requests.memory}, limits ${D.quota.limits.cpu} CPU / ${D.quota.limits.memory}, ${D.quota.pods} pods; at most ${TEST_ENVIRONMENT_MAX_PODS} pods, limits at least the requests)`,
            ),
        allowFromNamespaces: z =>
          z
            .array(z.string())
            .optional()
            .describe(
              'More namespaces whose pods may call in (the namespace itself, istio-system and the monitoring namespace always may)',
            ),
        monitoringNamespace: z =>
          z
            .string()
            .optional()
            .describe(
              `Namespace of the monitoring stack, let in to scrape (default: ${D.monitoringNamespace})`,
            ),
        dryRun: z =>
          z
            .boolean()
            .optional()
            .describe(
              'Only dry-run the objects on the cluster and report what would change',
            ),
      },
      output: {
        namespace: z => z.string().describe('The namespace of the environment'),
        expiresAt: z =>
          z
            .string()
            .describe('When the environment is deleted (RFC 3339, UTC)'),
        objects: z =>
          objectReportsSchema(
            z,
            'What was (or, in a dry run, would be) done per object',
          ),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const dryRun = ctx.isDryRun === true || input.dryRun === true;
      requireConfiguredCluster(clusters, input.cluster);
      const ttlMs = parseTtl(input.ttl ?? D.ttl);
      const now = Date.now();
      const build = (expiresAt: Date) =>
        buildEnvironmentObjects({
          name: input.name,
          owner: input.owner,
          expiresAt,
          quota: input.quota,
          allowFromNamespaces: input.allowFromNamespaces,
          monitoringNamespace: input.monitoringNamespace,
        });
      // Every input is checked before the cluster is asked anything.
      let environment = build(new Date(now + ttlMs));
      const { namespace } = environment;

      await authorizeInitiator(
        permissions,
        ctx,
        meshEnvironmentCreatePermission,
        input.cluster,
      );
      const kubeConfig = clusters.kubeConfig(input.cluster);
      const existing = await readNamespace(
        kubeConfig,
        namespace,
        input.cluster,
      );
      if (existing) {
        if (!isTestEnvironment(existing)) {
          throw new ConflictError(
            `Namespace ${namespace} exists on cluster ${input.cluster} and is not a Mesh Lifecycle test environment; choose another name`,
          );
        }
        if (existing.deleting) {
          throw new ConflictError(
            `Test environment ${namespace} on cluster ${input.cluster} is being deleted; try again once it is gone, or choose another name`,
          );
        }
        const currentOwner = existing.annotations[ANNOTATION_OWNER];
        if (currentOwner !== undefined && currentOwner !== environment.owner) {
          throw new ConflictError(
            `Test environment ${namespace} on cluster ${input.cluster} belongs to ${currentOwner}, not ${environment.owner}`,
          );
        }
        const current = Date.parse(
          existing.annotations[ANNOTATION_EXPIRES_AT] ?? '',
        );
        if (!input.extend && Number.isFinite(current) && current > now) {
          environment = build(new Date(current));
        } else if (!input.extend) {
          ctx.logger.info(
            `Test environment ${namespace} has no future expiry; it now expires in ${
              input.ttl ?? D.ttl
            }`,
          );
        }
      }

      const creates = !existing && !dryRun;
      if (creates) {
        // Created, not applied: if another run (or anyone) creates the same
        // namespace meanwhile, one of the two gets a 409 instead of both
        // passing the ownership check above.
        await createNamespace(kubeConfig, environment.objects, input.cluster);
      }
      const result = await applyObjects({
        kubeConfig,
        objects: environment.objects,
        dryRun,
        logger: ctx.logger,
      });
      ctx.output('namespace', namespace);
      ctx.output('expiresAt', environment.expiresAt);
      // The namespace this run created is applied (adopted) right after.
      const objects = result.objects.map(o => {
        if (!creates || o.kind !== 'Namespace' || o.outcome !== 'configured') {
          return o;
        }
        const { message: _adopted, ...created } = o;
        return { ...created, outcome: 'created' as const };
      });
      ctx.output('objects', objects);

      const refused = result.objects.filter(
        o =>
          o.outcome === 'conflict' ||
          o.outcome === 'owned-elsewhere' ||
          o.outcome === 'failed',
      );
      if (refused.length > 0) {
        const list = refused
          .map(o => `${o.kind} ${o.name}: ${o.outcome} (${o.message ?? ''})`)
          .join('; ');
        const message = `${
          result.applied
            ? 'Not every object could be written to'
            : 'Nothing was written to'
        } cluster ${input.cluster}: ${list}`;
        if (refused.some(o => o.outcome !== 'failed')) {
          throw new ConflictError(message);
        }
        throw new ServiceUnavailableError(message);
      }
      ctx.logger.info(
        `${dryRun ? 'Dry run: ' : ''}test environment ${namespace} on cluster ${
          input.cluster
        }, owned by ${environment.owner}, expires at ${
          environment.expiresAt
        }: ${objects.map(o => `${o.kind} ${o.name} ${o.outcome}`).join(', ')}`,
      );
    },
  });
}
