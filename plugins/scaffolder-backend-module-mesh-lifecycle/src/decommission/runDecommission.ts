import { KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { CustomErrorBase } from '@backstage/errors';
import { JsonValue } from '@backstage/types';
import {
  ArchivedObjectRecord,
  MARKER_LIFECYCLE_STATUS,
  RetirementStepRecord,
  buildLabelSelector,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { kubernetesFailure } from '@mesh-lifecycle/plugin-mesh-lifecycle-node';
import { archiveManifest } from './archiveManifest';
import { DecommissionPlan, PlannedObject } from './planDecommission';

/** Who asked for the decommission, written on each object it marks. */
export const ANNOTATION_DECOMMISSIONED_BY =
  'mesh-lifecycle.io/decommissioned-by';
/** When it was marked (ISO 8601). */
export const ANNOTATION_DECOMMISSIONED_AT =
  'mesh-lifecycle.io/decommissioned-at';
/** The retirement request (or task) that marked it. */
export const ANNOTATION_DECOMMISSION_REQUEST =
  'mesh-lifecycle.io/decommission-request';

/** The field manager of what a decommission writes. */
export const DECOMMISSION_FIELD_MANAGER = 'mesh-lifecycle-decommission';

/** Workloads still had pods when the wait ran out. */
export class PodsStillRunningError extends CustomErrorBase {
  name = 'PodsStillRunningError' as const;
}

/** What a decommission needs from outside. */
export interface DecommissionDependencies {
  objects: KubernetesObjectApi;
  /** The scaffolder's `ctx.checkpoint`: `fn` once per key across retries. */
  checkpoint<T extends JsonValue>(
    key: string,
    fn: () => Promise<T>,
  ): Promise<T>;
  /** Keeps the archive (the backend's store); called once per run. */
  archive(objects: ArchivedObjectRecord[]): Promise<void>;
  /** Waits between looks at the pods. */
  sleep(ms: number): Promise<void>;
  log(message: string): void;
  /** Told what was done so far after the marks, the scale, the archive and each deletion. */
  progress?(steps: RetirementStepRecord[]): Promise<void>;
}

/** What a decommission did, and the objects it archived (also on a retry). */
export interface DecommissionResult {
  steps: RetirementStepRecord[];
  archived: ArchivedObjectRecord[];
}

/** What to decommission and how. */
export interface DecommissionInput {
  plan: DecommissionPlan;
  /** Who and which request, written on the objects marked. */
  initiatedBy: string;
  requestId: string;
  /** How long to wait for the pods to go once scaled to zero (default 300). */
  podsGoneTimeoutSeconds?: number;
  /** Keep Secrets' values in the archive. */
  archiveSecretValues?: boolean;
}

const header = (o: PlannedObject) => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  metadata: { name: o.name, namespace: o.namespace },
});
const labelOf = (o: { kind: string; name: string }) => `${o.kind} ${o.name}`;

/** The pods a workload's selector selects. */
async function podsOf(
  objects: KubernetesObjectApi,
  workload: PlannedObject,
): Promise<string[]> {
  const read = await objects.read(header(workload));
  const selector = (read as { spec?: { selector?: object } }).spec?.selector;
  if (!selector) return [];
  const pods = await objects.list(
    'v1',
    'Pod',
    workload.namespace,
    undefined,
    undefined,
    undefined,
    undefined,
    buildLabelSelector(selector),
  );
  return pods.items.map(p => p.metadata?.name ?? '');
}

/** Merge-patches an object; false when it is gone already. */
async function patchUnlessGone(
  objects: KubernetesObjectApi,
  body: { apiVersion: string; kind: string; metadata: object; spec?: object },
): Promise<boolean> {
  try {
    await objects.patch(
      body,
      undefined,
      undefined,
      DECOMMISSION_FIELD_MANAGER,
      undefined,
      PatchStrategy.MergePatch,
    );
    return true;
  } catch (error) {
    if (kubernetesFailure(error).code === 404) return false;
    throw error;
  }
}

/**
 * Carries out a decommission plan, each part a checkpoint so a retried
 * task never repeats what was done: marks every object of the plan
 * `service.lifecycle/status: decommissioning` with who, when and the
 * request; scales the workloads to zero and waits (bounded) for their pods
 * to go; archives every object about to be deleted, once; deletes them in
 * the plan's order, each only if it is still the object archived (uid
 * precondition), in the foreground so what they own goes first. An object
 * already gone counts as deleted.
 */
export async function runDecommission(
  input: DecommissionInput,
  deps: DecommissionDependencies,
): Promise<DecommissionResult> {
  const { plan } = input;
  const reports: RetirementStepRecord[] = [];
  const markedAt = await deps.checkpoint('marked-at', async () =>
    new Date().toISOString(),
  );

  const marked = [...plan.delete, ...plan.kept];
  for (const o of marked) {
    const outcome = await deps.checkpoint(
      `mark-${o.kind}-${o.name}`,
      async () => {
        const patched = await patchUnlessGone(deps.objects, {
          ...header(o),
          metadata: {
            ...header(o).metadata,
            annotations: {
              [MARKER_LIFECYCLE_STATUS]: 'decommissioning',
              [ANNOTATION_DECOMMISSIONED_BY]: input.initiatedBy,
              [ANNOTATION_DECOMMISSIONED_AT]: markedAt,
              [ANNOTATION_DECOMMISSION_REQUEST]: input.requestId,
            },
          },
        });
        return patched ? 'marked decommissioning' : 'already gone';
      },
    );
    reports.push({ step: 'mark', kind: o.kind, name: o.name, outcome });
    deps.log(`${labelOf(o)}: ${outcome}`);
  }

  await deps.progress?.([...reports]);

  for (const w of plan.scale) {
    const outcome = await deps.checkpoint(
      `scale-${w.kind}-${w.name}`,
      async () => {
        const patched = await patchUnlessGone(deps.objects, {
          ...header(w),
          spec: { replicas: 0 },
        });
        return patched ? 'scaled to 0' : 'already gone';
      },
    );
    reports.push({ step: 'scale', kind: w.kind, name: w.name, outcome });
    deps.log(`${labelOf(w)}: ${outcome}`);
  }
  if (plan.scale.length) {
    await deps.progress?.([...reports]);
    const deadline = Date.now() + (input.podsGoneTimeoutSeconds ?? 300) * 1000;
    let left: string[] = [];
    for (;;) {
      left = [];
      for (const w of plan.scale) {
        try {
          left.push(...(await podsOf(deps.objects, w)));
        } catch (error) {
          if (kubernetesFailure(error).code !== 404) throw error;
        }
      }
      if (left.length === 0 || Date.now() >= deadline) break;
      await deps.sleep(1000);
    }
    if (left.length) {
      throw new PodsStillRunningError(
        `${left.length} pods still run ${
          input.podsGoneTimeoutSeconds ?? 300
        } s after scaling to zero (${left.join(
          ', ',
        )}); nothing was deleted: look at why they stay (finalizers, a controller scaling them up), then retry`,
      );
    }
    deps.log('Every pod of the scaled workloads is gone');
  }

  // Archived once, before the first deletion; a retry reuses it.
  const archived = (await deps.checkpoint('archive', async () => {
    const entries: ArchivedObjectRecord[] = [];
    for (const o of plan.delete) {
      try {
        const read = (await deps.objects.read(header(o))) as {
          metadata?: { uid?: string };
        };
        entries.push({
          apiVersion: o.apiVersion,
          kind: o.kind,
          ...(o.namespace !== undefined ? { namespace: o.namespace } : {}),
          name: o.name,
          ...(read.metadata?.uid ? { uid: read.metadata.uid } : {}),
          yaml: archiveManifest(
            { ...read, kind: o.kind },
            { includeSecretValues: input.archiveSecretValues },
          ),
        });
      } catch (error) {
        if (kubernetesFailure(error).code !== 404) throw error;
      }
    }
    await deps.archive(entries);
    return entries as unknown as JsonValue;
  })) as unknown as ArchivedObjectRecord[];
  for (const a of archived) {
    reports.push({
      step: 'archive',
      kind: a.kind,
      name: a.name,
      outcome: 'archived',
    });
  }
  deps.log(`Archived ${archived.length} objects before deleting them`);
  await deps.progress?.([...reports]);

  for (const o of plan.delete) {
    const uid = archived.find(a => a.kind === o.kind && a.name === o.name)?.uid;
    const outcome = await deps.checkpoint(
      `delete-${o.kind}-${o.name}`,
      async () => {
        if (uid === undefined) return 'already gone';
        try {
          await deps.objects.delete(
            header(o),
            undefined,
            undefined,
            undefined,
            undefined,
            'Foreground',
            { preconditions: { uid } },
          );
          return 'deleted';
        } catch (error) {
          const { code } = kubernetesFailure(error);
          if (code === 404) return 'already gone';
          if (code === 409) {
            return 'not deleted: replaced since it was archived';
          }
          throw error;
        }
      },
    );
    reports.push({ step: 'delete', kind: o.kind, name: o.name, outcome });
    deps.log(`${labelOf(o)}: ${outcome}`);
    await deps.progress?.([...reports]);
  }
  return { steps: reports, archived };
}
