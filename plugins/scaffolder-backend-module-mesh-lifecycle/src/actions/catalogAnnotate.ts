import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  ANNOTATION_ERROR_RATIO_PERCENT,
  ANNOTATION_KUBERNETES_CLUSTER,
  ANNOTATION_KUBERNETES_ID,
  ANNOTATION_KUBERNETES_NAMESPACE,
  ANNOTATION_P95_LATENCY_MS,
  ANNOTATION_PHASE,
  ANNOTATION_REPLACED_BY,
  ANNOTATION_REPLACES,
  LIFECYCLE_PHASES,
  parseMeshAnnotations,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { examples } from './catalogAnnotate.examples';

/**
 * `mesh:catalog:annotate`: the catalog annotations that let the mesh
 * lifecycle plugins find a new service, validated exactly as the plugins
 * will read them, ready to be written into its `catalog-info.yaml`.
 *
 * @public
 */
export function createCatalogAnnotateAction() {
  return createTemplateAction({
    id: 'mesh:catalog:annotate',
    description:
      'Builds and validates the catalog annotations with which the Mesh Lifecycle plugins find a service.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        kubernetesId: z =>
          z
            .string()
            .describe(
              'Value of the backstage.io/kubernetes-id label on the service objects',
            ),
        namespace: z =>
          z.string().optional().describe('Namespace the service runs in'),
        cluster: z =>
          z
            .string()
            .optional()
            .describe('The one configured cluster the service runs on'),
        phase: z =>
          z
            .enum(LIFECYCLE_PHASES)
            .optional()
            .describe('Explicit lifecycle phase'),
        replaces: z =>
          z
            .string()
            .optional()
            .describe('Entity reference of the service this one replaces'),
        replacedBy: z =>
          z
            .string()
            .optional()
            .describe('Entity reference of the replacement, or "none"'),
        p95LatencyMs: z =>
          z
            .number()
            .optional()
            .describe('p95 latency threshold in milliseconds'),
        errorRatioPercent: z =>
          z.number().optional().describe('5xx ratio threshold in percent'),
        entityNamespace: z =>
          z
            .string()
            .optional()
            .describe(
              'Catalog namespace of the new entity, against which short references resolve (default: default)',
            ),
      },
      output: {
        annotations: z =>
          z
            .record(z.string(), z.string())
            .describe(
              'The annotations, for the metadata of the catalog entity',
            ),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const raw: Record<string, string | undefined> = {
        [ANNOTATION_KUBERNETES_ID]: input.kubernetesId,
        [ANNOTATION_KUBERNETES_NAMESPACE]: input.namespace,
        [ANNOTATION_KUBERNETES_CLUSTER]: input.cluster,
        [ANNOTATION_PHASE]: input.phase,
        [ANNOTATION_REPLACES]: input.replaces,
        [ANNOTATION_REPLACED_BY]: input.replacedBy,
        [ANNOTATION_P95_LATENCY_MS]: input.p95LatencyMs?.toString(),
        [ANNOTATION_ERROR_RATIO_PERCENT]: input.errorRatioPercent?.toString(),
      };
      const values = parseMeshAnnotations(raw, {
        subject: 'the template input',
        namespace: input.entityNamespace,
      });
      // Write references in their resolved, unambiguous form.
      raw[ANNOTATION_REPLACES] = values.replaces;
      raw[ANNOTATION_REPLACED_BY] = values.replacedBy;

      const annotations: Record<string, string> = {};
      for (const [key, value] of Object.entries(raw)) {
        if (value !== undefined) {
          annotations[key] = value.trim();
        }
      }
      ctx.output('annotations', annotations);
    },
  });
}
