import { LoggerService } from '@backstage/backend-plugin-api';
import { KubernetesObject } from '@kubernetes/client-node';
import {
  ClusterMesh,
  LABEL_ENVIRONMENT,
  MARKER_LIFECYCLE_STATUS,
  MeshIstioObject,
  MeshResponse,
  ServiceDeclaration,
  SourceOutcome,
  attachIstioObjects,
  configuredTrafficSplit,
  effectiveMtlsMode,
  matchesLabelSelector,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { z } from 'zod';
import {
  ClusterObjectCache,
  ResourceType,
} from '../clusters/ClusterObjectCache';
import {
  cachedObjectOf,
  deploymentSchema,
  destinationRuleSchema,
  namedObjectSchema,
  parseObjects,
  podSchema,
  serviceSchema,
  virtualServiceSchema,
  workloadPolicySchema,
} from '../clusters/objectSchemas';
import { ServedApis } from '../clusters/discoverServedVersion';
import {
  KUBERNETES_RESOURCES,
  servedIstioResources,
} from '../clusters/resources';
import { ownedBy } from './ownership';
import { unconfiguredCluster } from './pinnedCluster';
import { sourceError } from './sourceError';

/** A cluster the reader can ask. */
export interface MeshCluster {
  name: string;
  environment?: string;
  objects: ClusterObjectCache;
  /** The Istio API versions the cluster serves (v1 or v1beta1 each). */
  servedApis(): Promise<ServedApis>;
}

/**
 * How many clusters' answers (per cluster and service) are kept for reuse
 * while the objects they were read from are unchanged.
 */
const REUSED_ANSWERS = 500;

/** How much a mutual TLS mode guarantees: DISABLE < PERMISSIVE < STRICT. */
function mtlsStrength(mode: string): number {
  return ['DISABLE', 'PERMISSIVE', 'STRICT'].indexOf(mode);
}

/**
 * Reads what each cluster runs of a service and how the mesh is configured
 * for it, from the clusters' watch caches. Each cluster answers or fails on
 * its own.
 */
export class ClusterMeshReader {
  private readonly clusters: MeshCluster[];
  private readonly logger: LoggerService;
  /**
   * Each cluster's answer for a service, with the revision of the caches it
   * was read from; the least recently used go first.
   */
  private readonly answers = new Map<
    string,
    { revision: string; mesh: Promise<ClusterMesh> }
  >();

  constructor(options: { clusters: MeshCluster[]; logger: LoggerService }) {
    this.clusters = options.clusters;
    this.logger = options.logger;
  }

  async read(declaration: ServiceDeclaration): Promise<MeshResponse> {
    const { cluster } = declaration.target;
    const unconfigured = unconfiguredCluster(
      declaration,
      this.clusters.map(c => c.name),
    );
    if (unconfigured) {
      return { entityRef: declaration.entityRef, clusters: [unconfigured] };
    }
    const clusters = cluster
      ? this.clusters.filter(c => c.name === cluster)
      : this.clusters;
    return {
      entityRef: declaration.entityRef,
      clusters: await Promise.all(
        clusters.map(async (c): Promise<SourceOutcome<ClusterMesh>> => {
          try {
            return {
              source: c.name,
              status: 'ok',
              ...(await this.readCluster(c, declaration)),
            };
          } catch (error) {
            return {
              source: c.name,
              status: 'error',
              // Failures of API discovery, too, as one line saying what to check.
              error: sourceError(c.objects.failure(error)),
            };
          }
        }),
      ),
    };
  }

  /**
   * A cluster's answer for the service: the one computed before while the
   * objects it was read from (every kind it reads, in the Istio versions
   * served) are unchanged, else computed again. Each view of a page read and
   * matched every Istio object of every cluster again (most of what a view
   * allocated); the caches say when their objects change.
   */
  private async readCluster(
    cluster: MeshCluster,
    declaration: ServiceDeclaration,
  ): Promise<ClusterMesh> {
    const { namespace, kubernetesId, labelSelector } = declaration.target;
    const owned = [
      KUBERNETES_RESOURCES.deployments,
      KUBERNETES_RESOURCES.services,
      KUBERNETES_RESOURCES.pods,
    ];
    // In the order the answer reads them: a failure is reported as then.
    const [ownedRevision, namespacesRevision] = await Promise.all([
      // Without an id or a selector, the service has no objects to read.
      labelSelector || kubernetesId !== undefined
        ? cluster.objects.revisionOf(owned, namespace)
        : '',
      cluster.objects.revisionOf([KUBERNETES_RESOURCES.namespaces]),
    ]);
    const versions = await cluster.servedApis();
    const istio = servedIstioResources(versions);
    const istioRevision = istio
      ? await cluster.objects.revisionOf([
          istio.virtualServices,
          istio.destinationRules,
          istio.peerAuthentications,
          istio.authorizationPolicies,
        ])
      : '';
    const key = JSON.stringify([
      cluster.name,
      kubernetesId,
      labelSelector,
      namespace,
    ]);
    const revision = JSON.stringify([
      versions,
      ownedRevision,
      namespacesRevision,
      istioRevision,
    ]);
    const known = this.answers.get(key);
    this.answers.delete(key);
    if (known?.revision === revision) {
      this.answers.set(key, known);
      return known.mesh;
    }
    // Views arriving together share one computation.
    const entry = { revision, mesh: this.computeCluster(cluster, declaration) };
    this.answers.set(key, entry);
    if (this.answers.size > REUSED_ANSWERS) {
      const [oldest] = this.answers.keys();
      this.answers.delete(oldest);
    }
    entry.mesh.catch(() => {
      if (this.answers.get(key) === entry) this.answers.delete(key);
    });
    return entry.mesh;
  }

  private async computeCluster(
    cluster: MeshCluster,
    declaration: ServiceDeclaration,
  ): Promise<ClusterMesh> {
    const { namespace, kubernetesId, labelSelector } = declaration.target;
    const parse = <T extends z.ZodType>(
      type: ResourceType,
      schema: T,
      objects: readonly KubernetesObject[],
    ) =>
      parseObjects(schema, objects, message =>
        this.logger.warn(
          `Ignoring a ${type.kind} on cluster ${cluster.name}: ${message}`,
        ),
      );
    const list = async <T extends z.ZodType>(type: ResourceType, schema: T) =>
      parse(type, schema, await cluster.objects.list(type));
    const isOwned = ownedBy(declaration);
    // The service's objects: by its label selector through the kind's
    // objects, else by its id through the caches' index.
    const owned = async <
      T extends z.ZodType<{ metadata: { labels?: Record<string, string> } }>,
    >(
      type: ResourceType,
      schema: T,
    ) => {
      if (labelSelector) {
        return parse(
          type,
          schema,
          await cluster.objects.list(type, namespace),
        ).filter(isOwned);
      }
      if (kubernetesId === undefined) return [];
      return parse(
        type,
        schema,
        await cluster.objects.listByKubernetesId(type, kubernetesId, namespace),
      );
    };

    const [deployments, services, pods, namespaces] = await Promise.all([
      owned(KUBERNETES_RESOURCES.deployments, deploymentSchema),
      owned(KUBERNETES_RESOURCES.services, serviceSchema),
      owned(KUBERNETES_RESOURCES.pods, podSchema),
      list(KUBERNETES_RESOURCES.namespaces, namedObjectSchema),
    ]);
    // A namespace may name its own environment (e.g. a test environment on
    // a development cluster).
    const namespaceEnvironment = new Map(
      namespaces.flatMap(n => {
        const labels = n.metadata.labels ?? {};
        const environment =
          labels[LABEL_ENVIRONMENT] ?? labels.environment ?? labels.env;
        return environment ? [[n.metadata.name, environment] as const] : [];
      }),
    );
    const versions = await cluster.servedApis();
    const version = versions.networking;
    const istio = servedIstioResources(versions);
    const base = {
      cluster: cluster.name,
      environment: cluster.environment,
      istioNetworkingVersion: version,
      ...(versions.security ? { istioSecurityVersion: versions.security } : {}),
      workloads: deployments.map(d => ({
        kind: 'Deployment',
        name: d.metadata.name,
        namespace: d.metadata.namespace ?? '',
        version: d.spec?.template?.metadata?.labels?.version,
        replicas: d.spec?.replicas ?? 1,
        readyReplicas: d.status?.readyReplicas ?? 0,
        availableReplicas: d.status?.availableReplicas ?? 0,
        updatedReplicas: d.status?.updatedReplicas ?? 0,
        lifecycleStatus: d.metadata.annotations?.[MARKER_LIFECYCLE_STATUS],
        environment:
          namespaceEnvironment.get(d.metadata.namespace ?? '') ??
          cluster.environment,
      })),
      pods: pods.map(p => ({
        name: p.metadata.name,
        namespace: p.metadata.namespace ?? '',
        workload: deployments.find(
          d =>
            d.metadata.namespace === p.metadata.namespace &&
            d.spec?.selector !== undefined &&
            matchesLabelSelector(d.spec.selector, p.metadata.labels),
        )?.metadata.name,
        version: p.metadata.labels?.version,
        phase: p.status?.phase ?? 'Unknown',
        ready:
          p.status?.conditions?.some(
            c => c.type === 'Ready' && c.status === 'True',
          ) ?? false,
        restarts: (p.status?.containerStatuses ?? []).reduce(
          (total, c) => total + c.restartCount,
          0,
        ),
        sidecar: (p.spec?.containers ?? []).some(c => c.name === 'istio-proxy'),
        startTime: p.status?.startTime,
        node: p.spec?.nodeName,
      })),
      services: services.map(s => ({
        name: s.metadata.name,
        namespace: s.metadata.namespace ?? '',
        ports: (s.spec?.ports ?? []).map(({ name, port, protocol }) => ({
          ...(name !== undefined ? { name } : {}),
          port,
          ...(protocol !== undefined ? { protocol } : {}),
        })),
      })),
    };
    if (!istio) {
      return {
        ...base,
        istioObjects: [],
        trafficSplit: [],
        mtls: { mode: 'DISABLE' },
      };
    }

    const [
      virtualServices,
      destinationRules,
      peerAuthentications,
      authorizationPolicies,
    ] = await Promise.all([
      list(istio.virtualServices, virtualServiceSchema),
      list(istio.destinationRules, destinationRuleSchema),
      list(istio.peerAuthentications, workloadPolicySchema),
      list(istio.authorizationPolicies, workloadPolicySchema),
    ]);
    // Which kind each object is, to describe the attached ones.
    const attachedBy = new Map<object, ResourceType>();
    for (const [type, objects] of [
      [istio.virtualServices, virtualServices],
      [istio.destinationRules, destinationRules],
      [istio.peerAuthentications, peerAuthentications],
      [istio.authorizationPolicies, authorizationPolicies],
    ] as const) {
      objects.forEach(o => attachedBy.set(o, type));
    }
    const meshServices = services.map(s => ({
      name: s.metadata.name,
      namespace: s.metadata.namespace ?? '',
    }));
    const istioObjects: MeshIstioObject[] = [];
    const seen = new Set<string>();
    const trafficSplit = [];
    let mtls: ClusterMesh['mtls'] | undefined;
    for (const service of meshServices) {
      const attached = attachIstioObjects({
        service,
        podLabels: deployments.map(
          d => d.spec?.template?.metadata?.labels ?? {},
        ),
        virtualServices: virtualServices,
        destinationRules: destinationRules,
        peerAuthentications: peerAuthentications,
        authorizationPolicies: authorizationPolicies,
      });
      const describe = (
        object: { metadata: { name: string; namespace?: string } },
        scope?: MeshIstioObject['scope'],
      ) => {
        const type = attachedBy.get(object)!;
        const entry: MeshIstioObject = {
          kind: type.kind,
          apiVersion: type.apiVersion,
          name: object.metadata.name,
          namespace: object.metadata.namespace ?? '',
          ...(scope ? { scope } : {}),
        };
        const key = `${entry.kind}/${entry.namespace}/${entry.name}`;
        if (!seen.has(key)) {
          seen.add(key);
          const cached = cachedObjectOf(object);
          istioObjects.push(
            // The caches keep objects without their bookkeeping
            // (managedFields, last-applied): shown as kept.
            cached
              ? { ...entry, manifest: cached as { [key: string]: unknown } }
              : entry,
          );
        }
        return entry;
      };
      attached.virtualServices.forEach(o => describe(o));
      attached.destinationRules.forEach(o => describe(o));
      attached.peerAuthentications.forEach(p => describe(p.object, p.scope));
      attached.authorizationPolicies.forEach(p => describe(p.object, p.scope));
      trafficSplit.push(...configuredTrafficSplit(attached));
      const effective = effectiveMtlsMode(attached.peerAuthentications);
      // With several Services (in several namespaces), the weakest mode is
      // the one a caller can count on.
      if (!mtls || mtlsStrength(effective.mode) < mtlsStrength(mtls.mode)) {
        mtls = {
          mode: effective.mode,
          policy: effective.from
            ? describe(effective.from.object, effective.from.scope)
            : undefined,
        };
      } else if (effective.from) {
        describe(effective.from.object, effective.from.scope);
      }
    }
    return {
      ...base,
      istioObjects,
      trafficSplit,
      // Istio's default where no Service tells which policies apply.
      mtls: mtls ?? { mode: 'PERMISSIVE' },
    };
  }
}
