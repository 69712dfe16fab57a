import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { LifecycleSnapshot } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { LifecycleHistoryStore } from './LifecycleHistoryStore';

/** The id of the history task in Backstage's scheduler. */
export const HISTORY_TASK_ID = 'mesh-lifecycle-history';

/** Default of {@link RecordHistoryOptions.concurrency}. */
export const DEFAULT_HISTORY_CONCURRENCY = 4;

/** Default of {@link ScheduleHistoryOptions.initialDelayMs}: one minute. */
export const DEFAULT_HISTORY_INITIAL_DELAY_MS = 60_000;

/**
 * What a history run needs: the services and how to evaluate one.
 */
export interface RecordHistoryOptions {
  store: LifecycleHistoryStore;
  logger: LoggerService;
  /** The entity refs of the services to record. */
  listServices(): Promise<string[]>;
  /** The lifecycle of one service now. */
  evaluate(entityRef: string): Promise<LifecycleSnapshot>;
  /** How many services are evaluated at once (default 4). */
  concurrency?: number;
}

/**
 * Options of {@link scheduleHistory}.
 */
export interface ScheduleHistoryOptions extends RecordHistoryOptions {
  scheduler: SchedulerService;
  /** How often the task runs (`meshLifecycle.history.frequency`). */
  frequencyMs: number;
  /** How long a run may take before it is aborted (default: the frequency). */
  timeoutMs?: number;
  /**
   * How long after startup the first run waits, so the cluster caches can
   * fill first (default one minute).
   */
  initialDelayMs?: number;
}

/**
 * What one run did.
 */
export interface HistoryRunSummary {
  /** Services whose lifecycle changed, so a record was made. */
  recorded: number;
  /** Services whose lifecycle did not change. */
  unchanged: number;
  /** Services that could not be evaluated or recorded. */
  failed: string[];
  /** Whether the run was aborted before it saw every service. */
  aborted: boolean;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Evaluates every service and records those whose lifecycle changed. One
 * service's failure is logged and the others carry on; a failure to list the
 * services fails the run.
 */
export async function recordHistory(
  options: RecordHistoryOptions,
  signal?: AbortSignal,
): Promise<HistoryRunSummary> {
  const { store, logger, evaluate } = options;
  const queue = [...new Set(await options.listServices())];
  const summary: HistoryRunSummary = {
    recorded: 0,
    unchanged: 0,
    failed: [],
    aborted: false,
  };
  const worker = async () => {
    for (;;) {
      if (signal?.aborted) {
        summary.aborted = queue.length > 0;
        return;
      }
      const entityRef = queue.shift();
      if (entityRef === undefined) return;
      try {
        const snapshot = await evaluate(entityRef);
        if (await store.record({ ...snapshot, entityRef })) {
          summary.recorded += 1;
        } else {
          summary.unchanged += 1;
        }
      } catch (error) {
        summary.failed.push(entityRef);
        logger.warn(
          `Mesh Lifecycle could not record the lifecycle of ${entityRef}: ${errorMessage(
            error,
          )}`,
        );
      }
    }
  };
  const concurrency = Math.max(
    1,
    Math.floor(options.concurrency ?? DEFAULT_HISTORY_CONCURRENCY),
  );
  await Promise.all(Array.from({ length: concurrency }, worker));
  return summary;
}

/**
 * Registers the lifecycle history task with Backstage's scheduler: a
 * `global` task, so one backend replica at a time runs it, that records each
 * service's lifecycle when it changed (see {@link recordHistory}).
 */
export async function scheduleHistory(
  options: ScheduleHistoryOptions,
): Promise<void> {
  const { scheduler, logger, frequencyMs } = options;
  await scheduler.scheduleTask({
    id: HISTORY_TASK_ID,
    scope: 'global',
    frequency: { milliseconds: frequencyMs },
    timeout: { milliseconds: options.timeoutMs ?? frequencyMs },
    initialDelay: {
      milliseconds: options.initialDelayMs ?? DEFAULT_HISTORY_INITIAL_DELAY_MS,
    },
    fn: async signal => {
      const summary = await recordHistory(options, signal);
      logger.info(
        `Mesh Lifecycle history: ${summary.recorded} changed, ${
          summary.unchanged
        } unchanged, ${summary.failed.length} failed${
          summary.aborted ? ', aborted before the end' : ''
        }`,
      );
    },
  });
}
