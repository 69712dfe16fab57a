import { JsonValue } from '@backstage/types';
import { KubernetesObjectApi } from '@kubernetes/client-node';
import {
  StepAnalysisSource,
  analyseThroughBackend,
} from '../traffic/prepareShift';
import { TrafficShiftDependencies } from '../traffic/runTrafficShift';
import { AnalysisQuery } from '../traffic/shiftTargets';
import { waitFor } from './waitFor';

/**
 * What a shift run from an action needs: the cluster, each step's analysis
 * through the mesh-lifecycle backend, its pauses (cancelled with the task),
 * the task's checkpoints and log.
 */
export function shiftDependencies(options: {
  objects: KubernetesObjectApi;
  backend: StepAnalysisSource;
  cluster: string;
  queries: Map<string, AnalysisQuery>;
  logger: { info(message: string): void; warn(message: string): void };
  signal?: AbortSignal;
  checkpoint<T extends JsonValue>(
    key: string,
    fn: () => Promise<T>,
  ): Promise<T>;
}): Omit<TrafficShiftDependencies, 'onStep'> {
  const { logger } = options;
  return {
    objects: options.objects,
    analyse: analyseThroughBackend({
      backend: options.backend,
      cluster: options.cluster,
      queries: options.queries,
      warn: message => logger.warn(message),
    }),
    wait: seconds => {
      logger.info(`Waiting ${seconds} s before the analysis`);
      return waitFor(seconds, options.signal);
    },
    checkpoint: options.checkpoint,
    log: message => logger.info(message),
  };
}
