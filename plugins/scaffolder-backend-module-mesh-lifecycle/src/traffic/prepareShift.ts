import { ConflictError, InputError } from '@backstage/errors';
import { JsonObject } from '@backstage/types';
import { KubernetesObjectApi } from '@kubernetes/client-node';
import {
  ServiceTarget,
  ShiftRequest,
  ShiftStep,
  StepAnalysisResponse,
  StepFigures,
  WeightedDestination,
  describeDestination,
  planShift,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { externalOwners } from '../kubernetes/applyObjects';
import { checkShiftTargets } from './checkShiftTargets';
import { AnalysisTarget, gaining } from './runTrafficShift';
import {
  AnalysisQuery,
  analysisQuery,
  combineAnalysis,
  findVirtualService,
  readShiftSnapshot,
} from './shiftTargets';
import { VirtualServiceObject, selectRoute } from './virtualServiceRoute';

/** A shift checked against the cluster, ready to run. */
export interface PreparedShift {
  virtualService: VirtualServiceObject;
  /** `networking.istio.io/<version>` the cluster serves. */
  apiVersion: string;
  /** `VirtualService namespace/name`, for messages. */
  label: string;
  /** The controllers managing the VirtualService, when forced past them. */
  owners: string[];
  route: { index: number; name?: string };
  /** The weights the shift started from (kept across retries). */
  from: WeightedDestination[];
  steps: ShiftStep[];
  /** The Prometheus query of each destination a step judges. */
  queries: Map<string, AnalysisQuery>;
}

/**
 * Finds the service's VirtualService and route, plans the shift from the
 * route's weights and checks it before anything is written: the
 * VirtualService is not managed by Flagger, Argo Rollouts, Argo CD or Flux
 * (a `ConflictError` unless `force`), and every destination given traffic
 * has a Service, its DestinationRule subset and a ready pod (one
 * `InputError` listing what is missing). `keepStart` keeps the starting
 * weights across retries (a checkpoint).
 */
export async function prepareShift(
  objects: KubernetesObjectApi,
  options: {
    namespace: string;
    virtualService?: string;
    route?: string;
    target: ServiceTarget;
    request: ShiftRequest;
    force?: boolean;
    reason?: string;
    warn(message: string): void;
    keepStart(weights: WeightedDestination[]): Promise<WeightedDestination[]>;
  },
): Promise<PreparedShift> {
  const { namespace, request } = options;
  const { virtualService, apiVersion } = await findVirtualService(objects, {
    namespace,
    name: options.virtualService,
    target: options.target,
  });
  const label = `VirtualService ${namespace}/${virtualService.metadata.name}`;
  const owners = externalOwners(virtualService as unknown as JsonObject);
  if (owners.length > 0) {
    if (!options.force) {
      throw new ConflictError(
        `${label} is managed by ${owners.join(
          ', ',
        )}: left alone, nothing written. Shift its traffic there, or set force with a reason to take over`,
      );
    }
    options.warn(
      `${label} is managed by ${owners.join(', ')}; taking over as forced: ${
        options.reason
      }`,
    );
  }
  const route = selectRoute(virtualService, options.route);
  const from = await options.keepStart(route.weights);
  const steps = planShift(from, request);
  const snapshot = await readShiftSnapshot(objects, {
    namespace,
    apiVersion,
    hosts: [
      ...from.map(w => w.host),
      ...(request.kind === 'migrate' ? [request.toHost] : []),
    ],
  });
  const problems = [
    ...new Set(steps.flatMap(s => checkShiftTargets(s.weights, snapshot))),
  ];
  if (problems.length) {
    throw new InputError(`Nothing was written: ${problems.join('; ')}`);
  }
  // The destination each step judges, resolved before anything moves.
  const queries = new Map(
    steps
      .map((s, i) => gaining(i === 0 ? from : steps[i - 1].weights, s.weights))
      .map(d => [describeDestination(d), analysisQuery(d, snapshot)]),
  );
  return {
    virtualService,
    apiVersion,
    label,
    owners: options.force ? owners : [],
    route: {
      index: route.index,
      ...(route.name !== undefined ? { name: route.name } : {}),
    },
    from,
    steps,
    queries,
  };
}

/**
 * The mesh-lifecycle backend's step analysis (`GET /analysis`).
 *
 * @public
 */
export interface StepAnalysisSource {
  getStepAnalysis(query: {
    cluster: string;
    namespace: string;
    service: string;
    version?: string;
    windowSeconds?: number;
  }): Promise<StepAnalysisResponse>;
}

/**
 * A step's analysis through the mesh-lifecycle backend: the figures of the
 * destination it judges, combined on the safe side across Prometheus
 * sources; `warn` says why nothing was measured when so.
 */
export function analyseThroughBackend(options: {
  backend: StepAnalysisSource;
  cluster: string;
  queries: Map<string, AnalysisQuery>;
  warn(message: string): void;
}): (target: AnalysisTarget) => Promise<StepFigures> {
  return async target => {
    const query = options.queries.get(describeDestination(target));
    if (!query) {
      throw new Error(
        `No analysis was planned for ${describeDestination(target)}`,
      );
    }
    const answer = await options.backend.getStepAnalysis({
      cluster: options.cluster,
      ...query,
      windowSeconds: target.windowSeconds,
    });
    const { figures, unmeasured } = combineAnalysis(answer);
    if (unmeasured) options.warn(`Nothing measured: ${unmeasured}`);
    return figures;
  };
}
