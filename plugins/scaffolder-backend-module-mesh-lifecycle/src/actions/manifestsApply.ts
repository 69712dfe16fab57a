import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { KubernetesObject } from '@kubernetes/client-node';
import { meshManifestsApplyPermission } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import fs from 'node:fs/promises';
import path from 'node:path';
import yaml from 'yaml';
import {
  AppliedObjectReport,
  MESH_LIFECYCLE_FIELD_MANAGER,
  applyObjects,
  objectLabel,
} from '../kubernetes/applyObjects';
import {
  ClusterActionOptions,
  authorizeInitiator,
  requireConfiguredCluster,
} from '../clusterAccess';
import { dnsLabel } from '../inputChecks';
import { objectReportsSchema } from './objectReportsSchema';
import { examples } from './manifestsApply.examples';

const MANIFEST_FILE = /\.ya?ml$/i;

/**
 * Options of {@link createManifestsApplyAction}.
 *
 * @public
 */
export type ManifestsApplyActionOptions = ClusterActionOptions;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isManifestObject(value: unknown): value is KubernetesObject {
  if (!isRecord(value) || !isRecord(value.metadata)) return false;
  return (
    typeof value.apiVersion === 'string' &&
    value.apiVersion !== '' &&
    typeof value.kind === 'string' &&
    value.kind !== '' &&
    typeof value.metadata.name === 'string' &&
    value.metadata.name !== ''
  );
}

/** Reads every object of the `*.yaml`/`*.yml` files of a workspace folder, files in name order. */
async function readManifests(
  workspacePath: string,
  folder: string,
): Promise<KubernetesObject[]> {
  let directory: string;
  try {
    directory = resolveSafeChildPath(workspacePath, folder);
  } catch {
    throw new InputError(
      `Input path must be a folder inside the workspace, got ${JSON.stringify(
        folder,
      )}`,
    );
  }
  let names: string[];
  try {
    names = (await fs.readdir(directory, { withFileTypes: true }))
      .filter(entry => entry.isFile() && MANIFEST_FILE.test(entry.name))
      .map(entry => entry.name)
      .sort();
  } catch {
    throw new InputError(
      `Input path must be a folder of the workspace, ${JSON.stringify(
        folder,
      )} is not one`,
    );
  }
  const relative = (name: string) =>
    path.posix.join(
      ...path
        .relative(workspacePath, path.join(directory, name))
        .split(path.sep),
    );
  const objects: KubernetesObject[] = [];
  for (const name of names) {
    const file = relative(name);
    const documents = yaml.parseAllDocuments(
      await fs.readFile(path.join(directory, name), 'utf8'),
    );
    for (const [index, document] of documents.entries()) {
      const [error] = document.errors;
      if (error) {
        throw new InputError(
          `Input path: ${file} is not valid YAML (document ${index + 1}): ${
            error.message
          }`,
        );
      }
      const value: unknown = document.toJS();
      if (value === null || value === undefined) continue;
      if (!isManifestObject(value)) {
        throw new InputError(
          `Input path: ${file} document ${
            index + 1
          } must be a Kubernetes object with apiVersion, kind and metadata.name`,
        );
      }
      objects.push(value);
    }
  }
  if (objects.length === 0) {
    throw new InputError(
      `Input path: ${JSON.stringify(
        folder,
      )} holds no Kubernetes object in *.yaml or *.yml files`,
    );
  }
  return objects;
}

function count(reports: AppliedObjectReport[], outcome: string): number {
  return reports.filter(r => r.outcome === outcome).length;
}

/**
 * `mesh:manifests:apply`: server-side applies the manifests of a workspace
 * folder to a configured cluster, as field manager `mesh-lifecycle`. Every
 * object is dry-run on the server first; nothing is written when an object is
 * managed by Argo CD, Flux, Flagger or Argo Rollouts, conflicts with another
 * manager (unless `force`) or is refused; unchanged objects are not written.
 *
 * @public
 */
export function createManifestsApplyAction(
  options: ManifestsApplyActionOptions,
) {
  const { clusters, permissions } = options;
  return createTemplateAction({
    id: 'mesh:manifests:apply',
    description: `Server-side applies (field manager ${MESH_LIFECYCLE_FIELD_MANAGER}) the Kubernetes manifests of a workspace folder to a configured cluster, after a server-side dry-run of every object; refuses objects managed by GitOps or progressive delivery controllers unless forced.`,
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        cluster: z =>
          z
            .string()
            .describe(
              'Name of a cluster configured for Mesh Lifecycle (never a URL or token)',
            ),
        path: z =>
          z
            .string()
            .optional()
            .describe(
              'Workspace folder whose *.yaml and *.yml files (multi-document) are applied (default: manifests)',
            ),
        namespace: z =>
          z
            .string()
            .optional()
            .describe(
              'Namespace of namespaced objects without metadata.namespace (default: default)',
            ),
        dryRun: z =>
          z
            .boolean()
            .optional()
            .describe(
              'Only the server-side dry-run: report what would change, write nothing',
            ),
        force: z =>
          z
            .boolean()
            .optional()
            .describe(
              'Take over objects and fields owned by other managers (Argo CD, Flux, ...)',
            ),
      },
      output: {
        objects: z =>
          objectReportsSchema(
            z,
            'What the apply did (or would do) to each object',
          ),
        created: z => z.number().describe('Objects created'),
        configured: z => z.number().describe('Objects changed'),
        unchanged: z =>
          z.number().describe('Objects already as applied, not written'),
        dryRun: z => z.boolean().describe('Whether this was only a dry-run'),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      requireConfiguredCluster(clusters, input.cluster);
      if (input.namespace !== undefined) dnsLabel('namespace', input.namespace);
      const folder = input.path ?? 'manifests';
      const objects = await readManifests(ctx.workspacePath, folder);
      const dryRun = input.dryRun === true || ctx.isDryRun === true;
      const force = input.force === true;
      await authorizeInitiator(
        permissions,
        ctx,
        meshManifestsApplyPermission,
        input.cluster,
      );

      const result = await applyObjects({
        kubeConfig: clusters.kubeConfig(input.cluster),
        objects,
        dryRun,
        force,
        defaultNamespace: input.namespace ?? 'default',
        logger: ctx.logger,
      });

      const verb = dryRun ? 'would be' : 'is';
      for (const r of result.objects) {
        const detail = r.message ? ` (${r.message})` : '';
        ctx.logger.info(
          `${objectLabel(r)} ${verb} ${r.outcome} on ${input.cluster}${detail}`,
        );
        if (r.changes.length > 0 && r.outcome !== 'created') {
          ctx.logger.info(
            `  changes: ${r.changes.map(c => c.path).join(', ')}`,
          );
        }
      }

      const failed = result.objects.filter(r => r.outcome === 'failed');
      if (failed.length > 0) {
        // A refusal of the cluster, neither bad input nor a conflict.
        throw new Error(
          `The cluster ${input.cluster} refused ${failed
            .map(r => `${objectLabel(r)}: ${r.message ?? 'failed'}`)
            .join('; ')}${result.applied ? '' : '. Nothing was written'}`,
        );
      }
      const blocked = result.objects.filter(
        r => r.outcome === 'owned-elsewhere' || r.outcome === 'conflict',
      );
      if (blocked.length > 0) {
        throw new ConflictError(
          `Nothing was written to ${input.cluster}: ${blocked
            .map(
              r =>
                `${objectLabel(r)} is ${
                  r.outcome === 'conflict' ? 'in conflict with' : 'managed by'
                } ${(r.managers ?? []).join(', ') || 'another manager'}`,
            )
            .join('; ')}. Set force: true to take them over`,
        );
      }

      ctx.output('objects', result.objects);
      ctx.output('created', count(result.objects, 'created'));
      ctx.output('configured', count(result.objects, 'configured'));
      ctx.output('unchanged', count(result.objects, 'unchanged'));
      ctx.output('dryRun', dryRun);
    },
  });
}
