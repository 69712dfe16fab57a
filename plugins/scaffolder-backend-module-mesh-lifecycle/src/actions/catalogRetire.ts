import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import fs from 'node:fs/promises';
import { posix } from 'node:path';
import { retireCatalogEntity } from '../decommission/retireCatalogEntity';
import { entityRefInput } from '../inputChecks';
import { examples } from './catalogRetire.examples';

/**
 * `mesh:catalog:retire`: the catalog change of a retirement, in the
 * workspace's copy of the entity's catalog file (fetched with
 * `fetch:plain:file`): `spec.lifecycle: retired`, or the entity's document
 * removed; comments and other entities kept. A publish action then proposes
 * it (a pull or merge request).
 *
 * @public
 */
export function createCatalogRetireAction() {
  return createTemplateAction({
    id: 'mesh:catalog:retire',
    description:
      "Marks a retired service in the workspace's copy of its catalog file: spec.lifecycle set to retired, or its entity removed; comments and other entities are kept.",
    examples,
    schema: {
      input: {
        entity: z =>
          z
            .string()
            .describe(
              'The retired service, as an entity ref (component:default/legacy-pricing-service)',
            ),
        mode: z =>
          z
            .enum(['retired', 'removed'])
            .optional()
            .describe(
              'retired (default): spec.lifecycle set to retired; removed: its entity taken out of the file',
            ),
        path: z =>
          z
            .string()
            .optional()
            .describe(
              'The catalog file in the workspace (default catalog-info.yaml)',
            ),
      },
      output: {
        changed: z =>
          z
            .boolean()
            .describe('Whether the file changed (false: retired already)'),
        summary: z =>
          z.string().describe('One line saying what changed, for the request'),
        content: z =>
          z
            .string()
            .describe(
              'The changed file, for a request made by hand where no publish action reaches',
            ),
      },
    },
    async handler(ctx) {
      const path = ctx.input.path ?? 'catalog-info.yaml';
      const mode = ctx.input.mode ?? 'retired';
      const ref = parseEntityRef(entityRefInput('entity', ctx.input.entity));
      const file = resolveSafeChildPath(ctx.workspacePath, path);
      let source: string;
      try {
        source = await fs.readFile(file, 'utf8');
      } catch {
        throw new InputError(
          `No ${path} in the workspace: fetch the entity's catalog file first (fetch:plain:file)`,
        );
      }
      const { text, changed } = retireCatalogEntity(source, ref, mode);
      await fs.writeFile(file, text, 'utf8');
      // Named by its file name: the workspace folder means nothing in a
      // pull request's description.
      const fileName = posix.basename(path);
      const summary =
        mode === 'retired'
          ? `${stringifyEntityRef(
              ref,
            )}: spec.lifecycle set to retired in ${fileName}`
          : `${stringifyEntityRef(ref)}: removed from ${fileName}`;
      ctx.logger.info(changed ? summary : `${summary} already`);
      ctx.output('changed', changed);
      ctx.output('summary', summary);
      ctx.output('content', text);
    },
  });
}
