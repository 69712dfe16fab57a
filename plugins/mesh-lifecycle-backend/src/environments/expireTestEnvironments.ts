import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { ApiException, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import {
  ANNOTATION_EXPIRES_AT,
  LABEL_MANAGED_BY,
  LABEL_TEST_ENVIRONMENT,
  MANAGED_BY_MESH_LIFECYCLE,
  SourceOutcome,
  buildLabelSelector,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import {
  ClusterConfig,
  createKubeConfig,
  describeKubernetesFailure,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-node';
import { z } from 'zod';

/** The id of the clean-up task in Backstage's scheduler. */
export const ENVIRONMENTS_CLEANUP_TASK_ID =
  'mesh-lifecycle-environments-cleanup';

/** Default of {@link ScheduleTestEnvironmentCleanupOptions.initialDelayMs}. */
export const DEFAULT_CLEANUP_INITIAL_DELAY_MS = 60_000;

const OURS = {
  [LABEL_TEST_ENVIRONMENT]: 'true',
  [LABEL_MANAGED_BY]: MANAGED_BY_MESH_LIFECYCLE,
};

/** Only namespaces with both labels are ever considered. */
const TEST_ENVIRONMENT_SELECTOR = buildLabelSelector({ matchLabels: OURS });

const RFC_3339 =
  /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

const namespaceListSchema = z.object({
  metadata: z.object({ _continue: z.string().optional() }).optional(),
  items: z.array(
    z.object({
      metadata: z.object({
        name: z.string().min(1),
        uid: z.string().min(1),
        resourceVersion: z.string().min(1),
        labels: z.record(z.string(), z.string()).optional(),
        annotations: z.record(z.string(), z.string()).optional(),
        deletionTimestamp: z.unknown().optional(),
      }),
    }),
  ),
});

/** A cluster to clean: its name and how to reach it. */
export interface CleanupCluster {
  name: string;
  kubeConfig: KubeConfig;
}

/** A test environment that was deleted. */
export interface ExpiredNamespace {
  namespace: string;
  expiresAt: string;
}

/** A test environment of ours that was left alone, and why. */
export interface SkippedNamespace {
  namespace: string;
  reason:
    | 'no-expiry'
    | 'unparsable-expiry'
    | 'already-deleting'
    | 'changed-since-listed'
    | 'gone';
}

/** A test environment whose deletion failed. */
export interface FailedNamespace {
  namespace: string;
  error: string;
}

/** What the clean-up did on one cluster (`source` is the cluster's name). */
export type ClusterCleanupOutcome = SourceOutcome<{
  deleted: ExpiredNamespace[];
  /** Test environments not yet expired. */
  kept: string[];
  skipped: SkippedNamespace[];
  failed: FailedNamespace[];
}>;

/** Options of {@link expireTestEnvironments}. */
export interface ExpireTestEnvironmentsOptions {
  /** The configured clusters, or already built `KubeConfig`s by name. */
  clusters: ReadonlyArray<ClusterConfig | CleanupCluster>;
  /** The time to compare expiries with. */
  now: Date;
  logger: LoggerService;
  /** Timeout of each call to a cluster's API server (default 10 s). */
  timeoutMs?: number;
  /** Namespaces per list page (default 500). */
  pageSize?: number;
}

/** How often a listing whose continue token expired starts over. */
const MAX_LIST_RESTARTS = 3;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string) {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${what} did not answer within ${ms} ms`)),
        ms,
      );
      timer.unref?.();
    }),
  ]).finally(() => clearTimeout(timer));
}

function parseExpiry(value: string): number | undefined {
  if (!RFC_3339.test(value)) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}

function toCleanupCluster(
  cluster: ClusterConfig | CleanupCluster,
): CleanupCluster {
  return 'kubeConfig' in cluster
    ? cluster
    : { name: cluster.name, kubeConfig: createKubeConfig(cluster) };
}

async function expireOnCluster(
  cluster: CleanupCluster,
  now: Date,
  logger: LoggerService,
  timeoutMs: number,
  pageSize: number,
): Promise<ClusterCleanupOutcome> {
  const api = cluster.kubeConfig.makeApiClient(CoreV1Api);
  const what = `Cluster ${cluster.name}`;
  const outcome = {
    source: cluster.name,
    status: 'ok' as const,
    deleted: [] as ExpiredNamespace[],
    kept: [] as string[],
    skipped: [] as SkippedNamespace[],
    failed: [] as FailedNamespace[],
  };
  const skip = (namespace: string, reason: SkippedNamespace['reason']) =>
    outcome.skipped.push({ namespace, reason });

  let continueToken: string | undefined;
  let restarts = 0;
  // Namespaces already judged: a listing that starts over sees them again.
  const judged = new Set<string>();
  let more = true;
  while (more) {
    let listed: unknown;
    try {
      listed = await withTimeout(
        api.listNamespace({
          labelSelector: TEST_ENVIRONMENT_SELECTOR,
          limit: pageSize,
          ...(continueToken ? { _continue: continueToken } : {}),
        }),
        timeoutMs,
        what,
      );
    } catch (error) {
      // The API server compacted the version the listing started at (410
      // Expired): start over, as the pages read so far are already done.
      if (
        continueToken &&
        error instanceof ApiException &&
        error.code === 410 &&
        restarts < MAX_LIST_RESTARTS
      ) {
        restarts++;
        continueToken = undefined;
        continue;
      }
      throw error;
    }
    const page = namespaceListSchema.parse(listed);
    continueToken = page.metadata?._continue || undefined;
    more = continueToken !== undefined;
    for (const { metadata } of page.items) {
      const { name, labels = {}, annotations = {} } = metadata;
      if (judged.has(name)) continue;
      judged.add(name);
      // Never trust the server to have filtered: both labels or nothing.
      if (Object.entries(OURS).some(([k, v]) => labels[k] !== v)) continue;
      if (metadata.deletionTimestamp) {
        skip(name, 'already-deleting');
        continue;
      }
      const annotation = annotations[ANNOTATION_EXPIRES_AT];
      if (annotation === undefined) {
        skip(name, 'no-expiry');
        continue;
      }
      const expiresAt = parseExpiry(annotation);
      if (expiresAt === undefined) {
        logger.warn(
          `Test environment ${name} on cluster ${
            cluster.name
          } has an unparsable ${ANNOTATION_EXPIRES_AT} annotation ${JSON.stringify(
            annotation.slice(0, 64),
          )} (expected an RFC 3339 time); it is left alone`,
        );
        skip(name, 'unparsable-expiry');
        continue;
      }
      if (expiresAt > now.getTime()) {
        outcome.kept.push(name);
        continue;
      }
      try {
        // The preconditions make sure what is deleted is what was judged:
        // a namespace replaced or relabelled meanwhile answers 409.
        await withTimeout(
          api.deleteNamespace({
            name,
            body: {
              preconditions: {
                uid: metadata.uid,
                resourceVersion: metadata.resourceVersion,
              },
            },
          }),
          timeoutMs,
          what,
        );
        outcome.deleted.push({ namespace: name, expiresAt: annotation });
        logger.info(
          `Deleted expired test environment ${name} on cluster ${cluster.name} (expired at ${annotation})`,
        );
      } catch (error) {
        if (error instanceof ApiException && error.code === 409) {
          skip(name, 'changed-since-listed');
        } else if (error instanceof ApiException && error.code === 404) {
          skip(name, 'gone');
        } else {
          outcome.failed.push({
            namespace: name,
            error: describeKubernetesFailure(error),
          });
          logger.warn(
            `Could not delete expired test environment ${name} on cluster ${
              cluster.name
            }: ${describeKubernetesFailure(error)}`,
          );
        }
      }
    }
  }
  return outcome;
}

/**
 * Deletes the namespaces of expired test environments on every cluster:
 * those labelled as Mesh Lifecycle test environments
 * (`mesh-lifecycle.io/test-environment: "true"` and
 * `app.kubernetes.io/managed-by: mesh-lifecycle`) whose
 * `mesh-lifecycle.io/expires-at` has passed, each with delete preconditions
 * (uid and resourceVersion) so that nothing changed since it was listed is
 * deleted. Nothing else is ever deleted. One cluster failing is logged and
 * reported in its outcome; the others are still cleaned.
 */
export async function expireTestEnvironments(
  options: ExpireTestEnvironmentsOptions,
): Promise<ClusterCleanupOutcome[]> {
  const { now, logger } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const pageSize = options.pageSize ?? 500;
  return Promise.all(
    options.clusters.map(async (config): Promise<ClusterCleanupOutcome> => {
      try {
        return await expireOnCluster(
          toCleanupCluster(config),
          now,
          logger,
          timeoutMs,
          pageSize,
        );
      } catch (error) {
        const message = describeKubernetesFailure(error);
        logger.warn(
          `Could not clean up the test environments of cluster ${config.name}: ${message}`,
        );
        return {
          source: config.name,
          status: 'error',
          error: {
            name: error instanceof Error ? error.name : 'Error',
            message,
          },
        };
      }
    }),
  );
}

/** Options of {@link scheduleTestEnvironmentCleanup}. */
export interface ScheduleTestEnvironmentCleanupOptions {
  scheduler: SchedulerService;
  logger: LoggerService;
  clusters: ExpireTestEnvironmentsOptions['clusters'];
  /** How often (`meshLifecycle.environments.cleanupFrequency`). */
  frequencyMs: number;
  /** Timeout of each call to a cluster (`meshLifecycle.timeouts.cluster`). */
  clusterTimeoutMs?: number;
  /** How long after startup the first run waits (default one minute). */
  initialDelayMs?: number;
  /** The clock (default `new Date()`). */
  now?: () => Date;
}

/**
 * Registers the clean-up of expired test environments with Backstage's
 * scheduler: a `global` task, so one backend replica at a time runs it.
 */
export async function scheduleTestEnvironmentCleanup(
  options: ScheduleTestEnvironmentCleanupOptions,
): Promise<void> {
  const { scheduler, logger, clusters, frequencyMs } = options;
  const now = options.now ?? (() => new Date());
  await scheduler.scheduleTask({
    id: ENVIRONMENTS_CLEANUP_TASK_ID,
    scope: 'global',
    frequency: { milliseconds: frequencyMs },
    timeout: { milliseconds: frequencyMs },
    initialDelay: {
      milliseconds: options.initialDelayMs ?? DEFAULT_CLEANUP_INITIAL_DELAY_MS,
    },
    fn: async () => {
      const outcomes = await expireTestEnvironments({
        clusters,
        now: now(),
        logger,
        timeoutMs: options.clusterTimeoutMs,
      });
      const count = (key: 'deleted' | 'failed') =>
        outcomes.reduce(
          (n, o) => n + (o.status === 'ok' ? o[key].length : 0),
          0,
        );
      const broken = outcomes.filter(o => o.status === 'error').length;
      logger.info(
        `Mesh Lifecycle test environments: ${count(
          'deleted',
        )} expired deleted, ${count('failed')} failed, ${broken} of ${
          outcomes.length
        } clusters unreachable`,
      );
    },
  });
}
