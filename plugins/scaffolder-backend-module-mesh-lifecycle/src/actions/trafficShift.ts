import { InputError, isError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { JsonValue } from '@backstage/types';
import { KubernetesObjectApi } from '@kubernetes/client-node';
import {
  AnalysisThresholds,
  LifecycleThresholdOverrides,
  ShiftRequest,
  TrafficShiftRecord,
  TrafficShiftStepRecord,
  WeightedDestination,
  meshTrafficShiftPermission,
  resolveThresholds,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import {
  ClusterActionOptions,
  authorizeInitiatorTo,
  requireConfiguredCluster,
} from '../clusterAccess';
import { dnsLabel, givenText, readServiceInput } from '../inputChecks';
import { StepAnalysisSource, prepareShift } from '../traffic/prepareShift';
import {
  TrafficShiftRolledBackError,
  runTrafficShift,
} from '../traffic/runTrafficShift';
import { examples } from './trafficShift.examples';
import { shiftDependencies } from './shiftDependencies';

/**
 * What `mesh:traffic:shift` asks of the mesh-lifecycle backend: a step's
 * figures, and keeping the record of the shift. {@link @mesh-lifecycle/plugin-mesh-lifecycle-common#MeshLifecycleClient}
 * with a plugin token fits.
 *
 * @public
 */
export interface TrafficShiftBackend extends StepAnalysisSource {
  recordTrafficShift(record: TrafficShiftRecord): Promise<void>;
}

/**
 * Options of {@link createTrafficShiftAction}.
 *
 * @public
 */
export interface TrafficShiftActionOptions extends ClusterActionOptions {
  /** Reads the service's entity as the initiator may see it. */
  catalog: CatalogService;
  /** The mesh-lifecycle backend: analysis and records. */
  backend: TrafficShiftBackend;
  /** `meshLifecycle.thresholds`: a step's default thresholds. */
  thresholds?: LifecycleThresholdOverrides;
}

/** The default minimum of requests a step needs to be judged. */
export const DEFAULT_MIN_REQUESTS = 50;
const DEFAULT_PAUSE_SECONDS = 60;
const MIN_PAUSE_SECONDS = 10;

type DestinationInput = { host?: string; subset?: string };

/**
 * The shift the input asks for: exactly one of weights, canary, switchTo,
 * migrateTo. A destination's host may be left out when the route has one
 * (planShift resolves it).
 */
function shiftRequest(input: {
  weights?: Array<DestinationInput & { weight: number }>;
  canary?: { host?: string; subset: string; steps: number[] };
  switchTo?: DestinationInput;
  migrateTo?: { host: string; steps?: number[] };
}): ShiftRequest {
  const given = (
    ['weights', 'canary', 'switchTo', 'migrateTo'] as const
  ).filter(k => input[k] !== undefined);
  if (given.length !== 1) {
    throw new InputError(
      `Give exactly one of weights, canary, switchTo and migrateTo${
        given.length ? `, got ${given.join(' and ')}` : ''
      }`,
    );
  }
  if (input.weights) return { kind: 'weights', weights: input.weights };
  if (input.canary) {
    const { steps, ...to } = input.canary;
    return { kind: 'canary', to, steps };
  }
  if (input.switchTo) return { kind: 'switch', to: input.switchTo };
  const migrate = input.migrateTo!;
  return {
    kind: 'migrate',
    toHost: migrate.host,
    ...(migrate.steps ? { steps: migrate.steps } : {}),
  };
}

/** `task-id.step-id`, in the characters a record id may hold. */
function shiftId(taskId: string, stepId: string | undefined): string {
  return `${taskId}.${stepId ?? 'shift'}`.replace(/[^-_.:A-Za-z0-9]/g, '-');
}

/**
 * `mesh:traffic:shift`: moves a service's traffic between the destinations
 * of its VirtualService route (subsets or hosts) in steps, judging each
 * step from Prometheus through the mesh-lifecycle backend and restoring
 * the starting weights when one does not pass. Before writing, it checks
 * the initiator's permission `mesh-lifecycle.traffic.shift` on the entity,
 * that no GitOps or progressive delivery controller manages the
 * VirtualService (unless `force` with a `reason`), and that every
 * destination given traffic has a Service, its DestinationRule subset and
 * a ready pod. Every shift is recorded by the backend.
 *
 * @public
 */
export function createTrafficShiftAction(options: TrafficShiftActionOptions) {
  const { clusters, catalog, backend } = options;
  return createTemplateAction({
    id: 'mesh:traffic:shift',
    description:
      "Shifts a service's traffic between the destinations of its VirtualService route in steps (canary, blue-green switch, given weights, migration to another host), judging each step from Prometheus (5xx ratio, p95, enough requests) and rolling back to the starting weights when one does not pass.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        entity: z =>
          z
            .string()
            .describe(
              'The service, as a catalog entity ref (component:default/checkout-service)',
            ),
        cluster: z =>
          z
            .string()
            .optional()
            .describe(
              "Name of a configured cluster; default: the entity's backstage.io/kubernetes-cluster",
            ),
        namespace: z =>
          z
            .string()
            .optional()
            .describe(
              "Namespace of the VirtualService; default: the entity's backstage.io/kubernetes-namespace",
            ),
        virtualService: z =>
          z
            .string()
            .optional()
            .describe(
              "The VirtualService to shift; default: the only one carrying the service's labels or naming its host",
            ),
        route: z =>
          z
            .string()
            .optional()
            .describe(
              'The HTTP route by name; default: the one with several destinations, else the only one',
            ),
        weights: z =>
          z
            .array(
              z.object({
                host: z.string().optional(),
                subset: z.string().optional(),
                weight: z.number(),
              }),
            )
            .optional()
            .describe(
              'Go to these weights in one step (whole percents summing to 100; a destination left out gets 0)',
            ),
        canary: z =>
          z
            .object({
              host: z.string().optional(),
              subset: z.string(),
              steps: z.array(z.number()),
            })
            .optional()
            .describe(
              'Move a destination to each share of steps in turn (e.g. 10, 25, 50, 100), the others keeping their proportions',
            ),
        switchTo: z =>
          z
            .object({
              host: z.string().optional(),
              subset: z.string().optional(),
            })
            .optional()
            .describe('Blue-green: all traffic to this destination at once'),
        migrateTo: z =>
          z
            .object({
              host: z.string(),
              steps: z.array(z.number()).optional(),
            })
            .optional()
            .describe(
              'All traffic to another host, added to the route (steps ending at 100; default one step)',
            ),
        pauseSeconds: z =>
          z
            .number()
            .optional()
            .describe(
              `How long each step runs before its analysis, and the window analysed (at least ${MIN_PAUSE_SECONDS}; default ${DEFAULT_PAUSE_SECONDS})`,
            ),
        analysis: z =>
          z
            .object({
              max5xxPercent: z.number().optional(),
              maxP95LatencyMs: z.number().optional(),
              minRequests: z.number().optional(),
              onInconclusive: z.enum(['fail', 'continue']).optional(),
            })
            .optional()
            .describe(
              `A step's thresholds: 5xx ratio and p95 (default: the service's, else meshLifecycle.thresholds, else 1 % and 1000 ms), the fewest requests to judge on (default ${DEFAULT_MIN_REQUESTS}) and what too few do (default fail: roll back)`,
            ),
        dryRun: z =>
          z
            .boolean()
            .optional()
            .describe('Print every step with its weights and change nothing'),
        force: z =>
          z
            .boolean()
            .optional()
            .describe(
              'Shift a VirtualService managed by Flagger, Argo Rollouts, Argo CD or Flux (needs reason)',
            ),
        reason: z =>
          z
            .string()
            .optional()
            .describe('Why force takes over another controller (recorded)'),
      },
      output: {
        outcome: z =>
          z
            .enum(['completed', 'dry-run', 'unchanged'])
            .describe('How the shift ended (a rolled-back one fails the task)'),
        from: z => z.string().describe('The weights before'),
        to: z => z.string().describe('The weights after'),
        steps: z =>
          z
            .array(
              z.object({
                index: z.number(),
                weights: z.string(),
                verdict: z.string(),
                reasons: z.array(z.string()),
              }),
            )
            .describe('Each step with its verdict and what it measured'),
      },
    },
    async handler(ctx) {
      const input = {
        ...ctx.input,
        cluster: givenText(ctx.input.cluster),
        namespace: givenText(ctx.input.namespace),
        virtualService: givenText(ctx.input.virtualService),
        route: givenText(ctx.input.route),
        reason: givenText(ctx.input.reason),
      };
      const credentials = await ctx.getInitiatorCredentials();
      const { entityRef, declaration } = await readServiceInput(
        catalog,
        input.entity,
        credentials,
      );
      const cluster = input.cluster ?? declaration.target.cluster;
      if (cluster === undefined) {
        throw new InputError(
          `Input cluster is needed: ${entityRef} names no backstage.io/kubernetes-cluster`,
        );
      }
      requireConfiguredCluster(clusters, cluster);
      const namespace = input.namespace ?? declaration.target.namespace;
      if (namespace === undefined) {
        throw new InputError(
          `Input namespace is needed: ${entityRef} names no backstage.io/kubernetes-namespace`,
        );
      }
      dnsLabel('namespace', namespace);
      const pauseSeconds = input.pauseSeconds ?? DEFAULT_PAUSE_SECONDS;
      if (!Number.isInteger(pauseSeconds) || pauseSeconds < MIN_PAUSE_SECONDS) {
        throw new InputError(
          `Input pauseSeconds must be a whole number of seconds from ${MIN_PAUSE_SECONDS}, got ${pauseSeconds}`,
        );
      }
      const configured = resolveThresholds(
        options.thresholds,
        declaration.thresholds,
      );
      const thresholds: AnalysisThresholds = {
        max5xxPercent:
          input.analysis?.max5xxPercent ?? configured.errorRatioPercent,
        maxP95LatencyMs:
          input.analysis?.maxP95LatencyMs ?? configured.p95LatencyMs,
        minRequests: input.analysis?.minRequests ?? DEFAULT_MIN_REQUESTS,
        onInconclusive: input.analysis?.onInconclusive ?? 'fail',
      };
      if (
        !(thresholds.max5xxPercent >= 0 && thresholds.max5xxPercent <= 100) ||
        !(thresholds.maxP95LatencyMs > 0) ||
        !Number.isInteger(thresholds.minRequests) ||
        thresholds.minRequests < 0
      ) {
        throw new InputError(
          'Input analysis: max5xxPercent is a percent (0 to 100), maxP95LatencyMs a positive number of milliseconds, minRequests a whole number from 0',
        );
      }
      if (input.force && !input.reason) {
        throw new InputError(
          'Input reason is needed with force: say why the shift takes over from the controller that manages the route',
        );
      }
      await authorizeInitiatorTo(
        options.permissions,
        credentials,
        { permission: meshTrafficShiftPermission, resourceRef: entityRef },
        `You are not allowed to shift the traffic of ${entityRef}`,
      );

      const objects = KubernetesObjectApi.makeApiClient(
        clusters.kubeConfig(cluster),
      );
      const request = shiftRequest(input);
      const prepared = await prepareShift(objects, {
        namespace,
        virtualService: input.virtualService,
        route: input.route,
        target: declaration.target,
        request,
        force: input.force,
        reason: input.reason,
        warn: message => ctx.logger.warn(message),
        // The weights when the shift first started (kept across retries).
        keepStart: async weights =>
          (await ctx.checkpoint({
            key: 'plan',
            fn: async () => weights as unknown as JsonValue,
          })) as unknown as WeightedDestination[],
      });
      const { virtualService, apiVersion, route, from, steps } = prepared;

      const dryRun = input.dryRun === true || ctx.isDryRun === true;
      const startedAt = await ctx.checkpoint({
        key: 'started',
        fn: async () => new Date().toISOString(),
      });
      const record: TrafficShiftRecord = {
        id: shiftId(ctx.task.id, ctx.step?.id),
        entityRef,
        cluster,
        namespace,
        virtualService: virtualService.metadata.name,
        ...(route.name !== undefined ? { route: route.name } : {}),
        kind: request.kind,
        ...(ctx.user?.ref ? { initiatedBy: ctx.user.ref } : {}),
        ...(prepared.owners.length > 0 ? { forcedBecause: input.reason! } : {}),
        from,
        to: steps.length ? steps[steps.length - 1].weights : from,
        pauseSeconds,
        thresholds,
        steps: [],
        outcome: 'running',
        startedAt,
      };
      const analysed: TrafficShiftStepRecord[] = [];
      if (!dryRun && steps.length > 0) {
        // Recorded before the first write: no shift goes unrecorded.
        await backend.recordTrafficShift(record);
      }
      const finish = async (
        outcome: TrafficShiftRecord['outcome'],
        message?: string,
      ) => {
        if (dryRun || steps.length === 0) return;
        try {
          await backend.recordTrafficShift({
            ...record,
            steps: analysed,
            outcome,
            ...(message !== undefined ? { message } : {}),
            ...(outcome !== 'running'
              ? { finishedAt: new Date().toISOString() }
              : {}),
          });
        } catch (error) {
          ctx.logger.warn(
            `The shift could not be recorded: ${
              isError(error) ? error.message : String(error)
            }`,
          );
        }
      };

      try {
        const result = await runTrafficShift(
          {
            namespace,
            virtualService: virtualService.metadata.name,
            ...(input.route !== undefined ? { route: input.route } : {}),
            apiVersion: apiVersion.split('/')[1],
            request,
            from,
            pauseSeconds,
            thresholds,
            dryRun,
          },
          {
            ...shiftDependencies({
              objects,
              backend,
              cluster,
              queries: prepared.queries,
              logger: ctx.logger,
              signal: ctx.signal,
              checkpoint: (key, fn) => ctx.checkpoint({ key, fn }),
            }),
            onStep: async step => {
              analysed.push({
                index: step.index,
                weights: step.weights,
                analysed: step.analysed,
                verdict: step.verdict.verdict,
                reasons: step.verdict.reasons,
                figures: step.figures,
              });
              if (step.verdict.proceed) await finish('running');
            },
          },
        );
        await finish('completed');
        ctx.output('outcome', result.outcome);
        ctx.output('from', result.from);
        ctx.output('to', result.to);
        ctx.output(
          'steps',
          result.steps.map(({ index, weights, verdict, reasons }) => ({
            index,
            weights,
            verdict,
            reasons,
          })),
        );
      } catch (error) {
        const message = isError(error) ? error.message : String(error);
        await finish(
          error instanceof TrafficShiftRolledBackError
            ? 'rolled-back'
            : 'failed',
          message,
        );
        throw error;
      }
    },
  });
}
