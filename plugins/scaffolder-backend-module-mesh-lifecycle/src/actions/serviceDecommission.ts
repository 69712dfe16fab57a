import {
  ConflictError,
  InputError,
  ResponseError,
  isError,
} from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { JsonValue } from '@backstage/types';
import { KubernetesObjectApi } from '@kubernetes/client-node';
import {
  ArchivedObjectRecord,
  DependenciesResponse,
  LifecycleResponse,
  LifecycleThresholdOverrides,
  RetirementNotice,
  RetirementRecord,
  RetirementStepRecord,
  RetirementsResponse,
  WeightedDestination,
  describePeriod,
  meshDecommissionPermission,
  readServiceDeclaration,
  resolveThresholds,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import {
  ClusterActionOptions,
  authorizeInitiatorTo,
  requireConfiguredCluster,
} from '../clusterAccess';
import { catalogSource } from '../decommission/catalogSource';
import { decommissionBlockers } from '../decommission/decommissionBlockers';
import {
  ServiceDependents,
  serviceDependents,
} from '../decommission/liveCallers';
import { retirementNotification } from '../decommission/retirementNotification';
import { listNamespaceObjects } from '../decommission/listNamespaceObjects';
import {
  DecommissionPlan,
  PlannedObject,
  planDecommission,
} from '../decommission/planDecommission';
import { runDecommission } from '../decommission/runDecommission';
import {
  dnsLabel,
  entityRefInput,
  givenText,
  readEntityInput,
  readServiceInput,
} from '../inputChecks';
import { prepareShift } from '../traffic/prepareShift';
import { runTrafficShift } from '../traffic/runTrafficShift';
import { NoVirtualServiceError } from '../traffic/shiftTargets';
import { ScaffolderTaskStatuses } from './scaffolderTasks';
import { examples } from './serviceDecommission.examples';
import { DEFAULT_MIN_REQUESTS, TrafficShiftBackend } from './trafficShift';
import { shiftDependencies } from './shiftDependencies';
import { waitFor } from './waitFor';

/**
 * What `mesh:service:decommission` asks of the mesh-lifecycle backend on top
 * of a shift's: the retire conditions over the drain window, the live
 * callers, and keeping the request's record and archive.
 * {@link @mesh-lifecycle/plugin-mesh-lifecycle-common#MeshLifecycleClient} with a plugin token fits.
 *
 * @public
 */
export interface DecommissionBackend extends TrafficShiftBackend {
  getLifecycle(
    entityRef: string,
    options?: { drainWindowSeconds?: number },
  ): Promise<LifecycleResponse>;
  getDependencies(
    entityRef: string,
    options?: { windowSeconds?: number },
  ): Promise<DependenciesResponse>;
  recordRetirement(record: RetirementRecord): Promise<void>;
  getRetirements(
    entityRef: string,
    options?: { limit?: number },
  ): Promise<RetirementsResponse>;
  archiveRetirementObjects(
    id: string,
    objects: ArchivedObjectRecord[],
  ): Promise<void>;
}

/**
 * Options of {@link createServiceDecommissionAction}.
 *
 * @public
 */
export interface ServiceDecommissionActionOptions extends ClusterActionOptions {
  /** Reads the service's (and its replacement's) entity as the initiator may see it. */
  catalog: CatalogService;
  /** The mesh-lifecycle backend: conditions, callers, records, archive. */
  backend: DecommissionBackend;
  /** `meshLifecycle.thresholds`: the default drain window (retireQuietDays). */
  thresholds?: LifecycleThresholdOverrides;
  /**
   * Tells the owners of the dependents when a request is filed (Backstage's
   * notifications); without it nobody is told and the retire gate
   * owners-notified stays shut.
   */
  notifications?: NotificationService;
  /**
   * Whether the task that claimed a service still runs. With it, a run finds
   * a claim left by a task that ended without finishing (a backend killed
   * with task recovery off, its task since failed by the scaffolder) and
   * takes the service over, recording that request `failed`; without it,
   * such a claim refuses every later run.
   */
  tasks?: ScaffolderTaskStatuses;
}

const MIN_DRAIN_WINDOW_SECONDS = 60;
const MAX_DRAIN_WINDOW_SECONDS = 90 * 86_400;
/** The longest window the backend gives callers over: a day. */
const MAX_CALLERS_WINDOW_SECONDS = 86_400;
const DEFAULT_PODS_GONE_TIMEOUT_SECONDS = 300;
const DEFAULT_MIGRATION_PAUSE_SECONDS = 60;
/** Scaffolder task states in which a task runs no more. */
const ENDED_TASK_STATES = ['completed', 'failed', 'cancelled', 'gone'];

const described = (o: PlannedObject) => `${o.kind} ${o.name} (${o.reason})`;

/** Steps 3 to 5 of the plan as the log and the task's output tell them. */
function describePlan(
  plan: DecommissionPlan,
  options: { podsGoneTimeoutSeconds: number; archiveSecretValues: boolean },
): string[] {
  const list = (objects: PlannedObject[]) =>
    objects.length ? objects.map(described).join('; ') : 'none';
  return [
    `Step 3, mark decommissioning: ${list([...plan.delete, ...plan.kept])}`,
    `Step 3, scale to zero, then wait up to ${
      options.podsGoneTimeoutSeconds
    } s for their pods to go: ${list(plan.scale)}`,
    `Step 4, archive before deleting (${
      options.archiveSecretValues
        ? 'Secrets with their values'
        : 'Secrets without their values'
    }): ${plan.delete.map(o => `${o.kind} ${o.name}`).join(', ') || 'none'}`,
    `Step 5, delete in this order, in the foreground: ${list(plan.delete)}`,
    `Step 5, removed by Kubernetes with them: ${list(plan.withOwner)}`,
    `Step 5, kept: ${list(plan.kept)}`,
  ];
}

/** `task-id.step-id`, in the characters a record id may hold. */
function requestId(taskId: string, stepId: string | undefined): string {
  return `${taskId}.${stepId ?? 'decommission'}`.replace(
    /[^-_.:A-Za-z0-9]/g,
    '-',
  );
}

/**
 * `mesh:service:decommission`: retires a service from its cluster without
 * losing anything. Checks the initiator's permission
 * `mesh-lifecycle.decommission` on the entity and the retire conditions
 * over the drain window (no inbound requests, no catalog dependents, a
 * replacement named) — a condition not known blocks too — and stops with
 * the blockers named (live callers with their owners and rates) unless
 * `force` with a reason. Then, one run per service at a time, each part a
 * checkpoint a retried task does not repeat: moves what traffic its
 * VirtualService still routes to it to the replacement; marks its objects
 * `service.lifecycle/status: decommissioning`; scales its workloads to
 * zero and waits for their pods to go; archives every object it deletes
 * (in the backend and the task's output); deletes only what carries its
 * labels and nobody else uses. Every request is recorded by the backend.
 *
 * @public
 */
export function createServiceDecommissionAction(
  options: ServiceDecommissionActionOptions,
) {
  const { clusters, catalog, backend, notifications, tasks } = options;
  return createTemplateAction({
    id: 'mesh:service:decommission',
    description:
      'Retires a service from its cluster: checks its retire conditions over the drain window (no inbound requests, no dependents, a replacement named), moves the traffic its VirtualService still routes to the replacement, marks its objects decommissioning, scales its workloads to zero, archives and deletes what provably belongs to it. Resumable; dryRun prints the plan.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        entity: z =>
          z
            .string()
            .describe(
              'The service to retire, as a catalog entity ref (component:default/legacy-pricing-service)',
            ),
        reason: z =>
          z.string().describe('Why it is retired (recorded with the request)'),
        replacement: z =>
          z
            .string()
            .optional()
            .describe(
              "The service taking over, as an entity ref, or none; default: the entity's mesh-lifecycle.io/replaced-by",
            ),
        drainWindowSeconds: z =>
          z
            .number()
            .optional()
            .describe(
              `How long the service must have had no inbound requests (${MIN_DRAIN_WINDOW_SECONDS} s to 90 days; default: meshLifecycle.thresholds.retireQuietDays)`,
            ),
        include: z =>
          z
            .array(z.string())
            .optional()
            .describe(
              'Kind/name of objects to delete although kept otherwise (a PersistentVolumeClaim, an object shared with another service)',
            ),
        archiveSecretValues: z =>
          z
            .boolean()
            .optional()
            .describe(
              "Keep Secrets' values in the archive (default: left out)",
            ),
        podsGoneTimeoutSeconds: z =>
          z
            .number()
            .optional()
            .describe(
              `How long to wait for the pods to go once scaled to zero (default ${DEFAULT_PODS_GONE_TIMEOUT_SECONDS})`,
            ),
        migrationPauseSeconds: z =>
          z
            .number()
            .optional()
            .describe(
              `How long the migration to the replacement runs before its analysis (at least 10; default ${DEFAULT_MIGRATION_PAUSE_SECONDS})`,
            ),
        force: z =>
          z
            .boolean()
            .optional()
            .describe(
              'Go on despite the blockers (needs forceReason, which is recorded)',
            ),
        forceReason: z =>
          z
            .string()
            .optional()
            .describe('Why the run goes on despite its blockers'),
        dryRun: z =>
          z
            .boolean()
            .optional()
            .describe(
              'Print the blockers and every step with the objects it would touch; change nothing',
            ),
      },
      output: {
        requestId: z => z.string().describe('The recorded request'),
        outcome: z =>
          z
            .enum(['completed', 'dry-run'])
            .describe(
              'How the run ended (a refused or failed one fails the task)',
            ),
        blockers: z =>
          z
            .array(z.string())
            .describe('What stood in the way (forced past when completed)'),
        plan: z =>
          z.array(z.string()).describe('Each step with the objects it touches'),
        steps: z =>
          z
            .array(
              z.object({
                step: z.string(),
                kind: z.string(),
                name: z.string(),
                outcome: z.string(),
              }),
            )
            .describe('What the run did to each object'),
        catalogSource: z =>
          z
            .object({
              url: z.string().optional(),
              fileName: z.string().optional(),
              provider: z.enum(['github', 'gitlab']).optional(),
              repoUrl: z.string().optional(),
              targetPath: z.string().optional(),
            })
            .describe(
              "Where its catalog file is (backstage.io/managed-by-location), for the template's catalog change: the file's url, and for GitHub and GitLab the repository and folder to propose it to; empty for other locations",
            ),
        archive: z =>
          z
            .array(
              z.object({
                kind: z.string(),
                name: z.string(),
                yaml: z.string(),
              }),
            )
            .describe('Every deleted object as it was, as YAML'),
      },
    },
    async handler(ctx) {
      const input = {
        ...ctx.input,
        reason: givenText(ctx.input.reason),
        replacement: givenText(ctx.input.replacement),
        forceReason: givenText(ctx.input.forceReason),
      };
      if (!input.reason) {
        throw new InputError(
          'Input reason is needed: say why the service is retired',
        );
      }
      if (input.force && !input.forceReason) {
        throw new InputError(
          'Input forceReason is needed with force: say why the run goes on despite its blockers',
        );
      }
      const podsGoneTimeoutSeconds =
        input.podsGoneTimeoutSeconds ?? DEFAULT_PODS_GONE_TIMEOUT_SECONDS;
      if (
        !Number.isInteger(podsGoneTimeoutSeconds) ||
        podsGoneTimeoutSeconds < 0 ||
        podsGoneTimeoutSeconds > 3600
      ) {
        throw new InputError(
          `Input podsGoneTimeoutSeconds must be a whole number of seconds from 0 to 3600, got ${podsGoneTimeoutSeconds}`,
        );
      }
      const pauseSeconds =
        input.migrationPauseSeconds ?? DEFAULT_MIGRATION_PAUSE_SECONDS;
      if (!Number.isInteger(pauseSeconds) || pauseSeconds < 10) {
        throw new InputError(
          `Input migrationPauseSeconds must be a whole number of seconds from 10, got ${pauseSeconds}`,
        );
      }
      for (const item of input.include ?? []) {
        if (!/^[A-Za-z]+\/[-.a-z0-9]+$/.test(item)) {
          throw new InputError(
            `Input include lists objects as Kind/name (PersistentVolumeClaim/orders-data), got ${JSON.stringify(
              item,
            )}`,
          );
        }
      }

      const credentials = await ctx.getInitiatorCredentials();
      const { entityRef, entity, declaration } = await readServiceInput(
        catalog,
        input.entity,
        credentials,
      );
      const { cluster, namespace } = declaration.target;
      if (cluster === undefined || namespace === undefined) {
        throw new InputError(
          `${entityRef} must name its cluster and namespace (backstage.io/kubernetes-cluster, backstage.io/kubernetes-namespace): a decommission deletes only where the catalog says the service runs`,
        );
      }
      requireConfiguredCluster(clusters, cluster);
      dnsLabel('namespace', namespace);
      if (
        declaration.target.kubernetesId === undefined &&
        declaration.target.labelSelector === undefined
      ) {
        throw new InputError(
          `${entityRef} needs backstage.io/kubernetes-id or backstage.io/kubernetes-label-selector: they say which objects are its own`,
        );
      }
      const drainWindowSeconds =
        input.drainWindowSeconds ??
        Math.round(
          resolveThresholds(options.thresholds, declaration.thresholds)
            .retireQuietDays * 86_400,
        );
      if (
        !Number.isInteger(drainWindowSeconds) ||
        drainWindowSeconds < MIN_DRAIN_WINDOW_SECONDS ||
        drainWindowSeconds > MAX_DRAIN_WINDOW_SECONDS
      ) {
        throw new InputError(
          `Input drainWindowSeconds must be a whole number of seconds from ${MIN_DRAIN_WINDOW_SECONDS} to ${MAX_DRAIN_WINDOW_SECONDS} (90 days), got ${drainWindowSeconds}`,
        );
      }
      const replacementRef =
        input.replacement === undefined || input.replacement === 'none'
          ? input.replacement
          : entityRefInput('replacement', input.replacement);
      await authorizeInitiatorTo(
        options.permissions,
        credentials,
        { permission: meshDecommissionPermission, resourceRef: entityRef },
        `You are not allowed to decommission ${entityRef}`,
      );
      const replacement = replacementRef ?? declaration.replacedBy;
      const replacementEntity =
        replacement && replacement !== 'none'
          ? await readEntityInput(
              catalog,
              'replacement',
              replacement,
              credentials,
            )
          : undefined;

      const dryRun = input.dryRun === true || ctx.isDryRun === true;
      const id = requestId(ctx.task.id, ctx.step?.id);
      const requestedAt = await ctx.checkpoint({
        key: 'requested',
        fn: async () => new Date().toISOString(),
      });

      const record: RetirementRecord = {
        id,
        entityRef,
        cluster,
        namespace,
        ...(ctx.user?.ref ? { requestedBy: ctx.user.ref } : {}),
        reason: input.reason,
        ...(replacement ? { replacement } : {}),
        drainWindowSeconds,
        state: 'running',
        blockers: [],
        steps: [],
        requestedAt,
        updatedAt: requestedAt,
      };
      const save = async (update: Partial<RetirementRecord>) => {
        const now = new Date().toISOString();
        await backend.recordRetirement({
          ...record,
          ...update,
          updatedAt: now,
          ...(update.state && update.state !== 'running'
            ? { finishedAt: now }
            : {}),
        });
      };

      /**
       * The running request of another task that holds the service although
       * that task ended (or is gone), if the scaffolder can say so.
       */
      const staleClaim = async (service: string, own: string) => {
        if (!tasks) return undefined;
        const { retirements } = await backend.getRetirements(service, {
          limit: 100,
        });
        const holder = retirements.find(
          r => r.state === 'running' && r.id !== own,
        );
        if (!holder) return undefined;
        const taskId = holder.id.split('.')[0];
        let status: string;
        try {
          status = (await tasks.status(taskId)) ?? 'gone';
        } catch (error) {
          // Not known whether it still runs: the claim stands.
          ctx.logger.warn(
            `Could not ask the scaffolder whether task ${taskId}, which claimed ${service}, still runs: ${error}`,
          );
          return undefined;
        }
        return ENDED_TASK_STATES.includes(status)
          ? { record: holder, taskId, status }
          : undefined;
      };

      // 1. The retire conditions over the drain window, and who still calls:
      // gathered only when a part below has not been done before.
      const window = describePeriod(drainWindowSeconds);
      let gathered:
        | Promise<{ conditions: string[]; dependents: ServiceDependents }>
        | undefined;
      const gather = () =>
        (gathered ??= (async () => {
          const [lifecycle, dependencies] = await Promise.all([
            backend.getLifecycle(entityRef, { drainWindowSeconds }),
            backend.getDependencies(entityRef, {
              windowSeconds: Math.min(
                drainWindowSeconds,
                MAX_CALLERS_WINDOW_SECONDS,
              ),
            }),
          ]);
          return {
            conditions: decommissionBlockers(lifecycle.gates, {
              replacement: replacementRef,
            }).blockers,
            dependents: serviceDependents(dependencies),
          };
        })());

      // Filing the request tells the owners of every dependent, once.
      if (!dryRun && notifications) {
        try {
          record.notified = (await ctx.checkpoint({
            key: 'notify',
            fn: async () => {
              const { dependents } = await gather();
              const notification = retirementNotification({
                entityRef,
                requestedBy: ctx.user?.ref,
                reason: input.reason!,
                replacement,
                drainWindow: window,
                dependents,
              });
              if (notification) await notifications.send(notification);
              ctx.logger.info(
                notification
                  ? `Notified the owners of its dependents: ${dependents.owners.join(
                      ', ',
                    )}`
                  : 'Nothing depends on it: nobody to notify',
              );
              const notice: RetirementNotice = {
                at: new Date().toISOString(),
                owners: dependents.owners,
                dependents: dependents.dependents,
              };
              return notice as unknown as JsonValue;
            },
          })) as unknown as RetirementNotice;
        } catch (error) {
          ctx.logger.warn(
            `The owners of its dependents could not be notified (is @backstage/plugin-notifications-backend installed?): ${
              isError(error) ? error.message : String(error)
            }`,
          );
        }
      }

      // Judged once: a run resumed halfway goes on with what it was let
      // through with (a refusal is judged again).
      const blockers = await ctx.checkpoint({
        key: 'preconditions',
        fn: async () => {
          const { conditions, dependents } = await gather();
          const found = [
            ...conditions,
            ...dependents.callers.map(c => `Live caller: ${c}`),
            ...dependents.unanswered.map(
              u => `Callers not known: ${u} did not answer`,
            ),
          ];
          ctx.logger.info(
            found.length
              ? `Step 1, preconditions over the last ${window}: ${found.join(
                  '; ',
                )}`
              : `Step 1, preconditions over the last ${window}: every retire condition holds`,
          );
          if (found.length && !input.force) {
            const message = `${entityRef} cannot be retired yet; nothing was changed. ${found.join(
              '; ',
            )}. Move the callers and dependents to the replacement and wait for the drain window, or set force with a reason`;
            if (!dryRun) {
              await save({ state: 'refused', blockers: found, message });
              throw new ConflictError(message);
            }
            ctx.logger.warn(`A run would be refused: ${message}`);
          } else if (found.length) {
            ctx.logger.warn(
              `Going on despite the blockers, as forced: ${input.forceReason}`,
            );
          }
          return found;
        },
      });
      record.blockers = blockers;
      if (blockers.length && input.force) {
        record.forcedBecause = input.forceReason!;
      }

      const objects = KubernetesObjectApi.makeApiClient(
        clusters.kubeConfig(cluster),
      );
      // The plan is made once: a retried run goes on with the same one.
      const plan = (await ctx.checkpoint({
        key: 'plan',
        fn: async () =>
          planDecommission({
            target: declaration.target,
            objects: await listNamespaceObjects(objects, namespace),
            include: input.include,
          }) as unknown as JsonValue,
      })) as unknown as DecommissionPlan;
      const planLines = describePlan(plan, {
        podsGoneTimeoutSeconds,
        archiveSecretValues: input.archiveSecretValues === true,
      });
      ctx.output('requestId', id);
      ctx.output('catalogSource', { ...catalogSource(entity) });
      ctx.output('blockers', blockers);
      ctx.output('plan', planLines);

      if (!dryRun) {
        // Claims the service: one run at a time.
        const claim = () => save({ state: 'running' });
        try {
          await claim();
        } catch (error) {
          if (!(error instanceof ResponseError && error.statusCode === 409)) {
            throw error;
          }
          const stale = await staleClaim(entityRef, id);
          if (!stale) {
            throw new ConflictError(
              `${error.body.error.message}; this run changed nothing`,
            );
          }
          const now = new Date().toISOString();
          await backend.recordRetirement({
            ...stale.record,
            state: 'failed',
            message: `Its task ${stale.taskId} ended (${stale.status}) before the run finished; request ${id} took the service over`,
            updatedAt: now,
            finishedAt: now,
          });
          ctx.logger.warn(
            `Request ${stale.record.id} claimed ${entityRef} but its task ${stale.taskId} ended (${stale.status}) without finishing: recorded failed, taken over`,
          );
          await claim();
        }
      }

      // What the run did so far: recorded with a failure too.
      let steps: RetirementStepRecord[] = [];
      try {
        // 2. What its VirtualService still routes to it goes to the replacement.
        const replacementTarget = replacementEntity
          ? readServiceDeclaration(replacementEntity).target
          : undefined;
        if (!replacementTarget?.kubernetesId) {
          ctx.logger.info(
            replacement && replacement !== 'none'
              ? `Step 2, migration: the replacement ${replacement} names no backstage.io/kubernetes-id, nothing to move`
              : 'Step 2, migration: no replacement, nothing to move',
          );
        } else {
          const toHost = `${replacementTarget.kubernetesId}.${
            replacementTarget.namespace ?? namespace
          }.svc.cluster.local`;
          let prepared: Awaited<ReturnType<typeof prepareShift>> | undefined;
          try {
            prepared = await prepareShift(objects, {
              namespace,
              target: declaration.target,
              request: { kind: 'migrate', toHost },
              force: input.force,
              reason: input.forceReason,
              warn: message => ctx.logger.warn(message),
              keepStart: async weights =>
                (await ctx.checkpoint({
                  key: 'migrate-from',
                  fn: async () => weights as unknown as JsonValue,
                })) as unknown as WeightedDestination[],
            });
          } catch (error) {
            if (!(error instanceof NoVirtualServiceError)) throw error;
            ctx.logger.info(
              `Step 2, migration: no VirtualService routes it in ${namespace}, nothing to move`,
            );
          }
          if (prepared) {
            const replacementThresholds = resolveThresholds(
              options.thresholds,
              readServiceDeclaration(replacementEntity!).thresholds,
            );
            const result = await runTrafficShift(
              {
                namespace,
                virtualService: prepared.virtualService.metadata.name,
                ...(prepared.route.name !== undefined
                  ? { route: prepared.route.name }
                  : {}),
                apiVersion: prepared.apiVersion.split('/')[1],
                request: { kind: 'migrate', toHost },
                from: prepared.from,
                pauseSeconds,
                thresholds: {
                  max5xxPercent: replacementThresholds.errorRatioPercent,
                  maxP95LatencyMs: replacementThresholds.p95LatencyMs,
                  minRequests: DEFAULT_MIN_REQUESTS,
                  // A drained service leaves little traffic to judge.
                  onInconclusive: 'continue',
                },
                dryRun,
              },
              shiftDependencies({
                objects,
                backend,
                cluster,
                queries: prepared.queries,
                logger: ctx.logger,
                signal: ctx.signal,
                checkpoint: (key, fn) =>
                  ctx.checkpoint({ key: `migrate-${key}`, fn }),
              }),
            );
            ctx.logger.info(
              `Step 2, migration to ${toHost}: ${result.outcome} (${result.from} → ${result.to})`,
            );
          }
        }

        if (dryRun) {
          planLines.forEach(line => ctx.logger.info(`Dry run. ${line}`));
          ctx.logger.info('Dry run: nothing was written, recorded or archived');
          ctx.output('outcome', 'dry-run');
          ctx.output('steps', []);
          ctx.output('archive', []);
          return;
        }

        // 3–5. Mark, scale to zero, archive, delete.
        const done = await runDecommission(
          {
            plan,
            initiatedBy: ctx.user?.ref ?? 'unknown',
            requestId: id,
            podsGoneTimeoutSeconds,
            archiveSecretValues: input.archiveSecretValues,
          },
          {
            objects,
            checkpoint: <T extends JsonValue>(
              key: string,
              fn: () => Promise<T>,
            ) => ctx.checkpoint<T>({ key, fn }),
            archive: entries => backend.archiveRetirementObjects(id, entries),
            sleep: ms => waitFor(ms / 1000, ctx.signal),
            log: message => ctx.logger.info(message),
            // The card shows how far a running request got.
            progress: async soFar => {
              steps = soFar;
              try {
                await save({ state: 'running', steps });
              } catch (error) {
                ctx.logger.warn(
                  `Progress could not be recorded: ${
                    isError(error) ? error.message : String(error)
                  }`,
                );
              }
            },
          },
        );
        steps = done.steps;
        await save({ state: 'completed', steps });
        ctx.logger.info(
          `${entityRef} is retired from ${cluster}/${namespace}: ${
            steps.filter(s => s.step === 'delete' && s.outcome === 'deleted')
              .length
          } objects deleted, each archived first (request ${id})`,
        );
        ctx.output('outcome', 'completed');
        ctx.output('steps', steps);
        ctx.output(
          'archive',
          done.archived.map(a => ({
            kind: a.kind,
            name: a.name,
            yaml: a.yaml,
          })),
        );
      } catch (error) {
        if (!dryRun) {
          try {
            await save({
              state: 'failed',
              steps,
              message: isError(error) ? error.message : String(error),
            });
          } catch (recordError) {
            ctx.logger.warn(
              `The run's failure could not be recorded: ${
                isError(recordError) ? recordError.message : String(recordError)
              }`,
            );
          }
        }
        throw error;
      }
    },
  });
}
