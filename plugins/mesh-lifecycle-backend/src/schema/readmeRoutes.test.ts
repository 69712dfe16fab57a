import { generatedSection } from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'yaml';

/** The OpenAPI spec as far as the reference reads it. */
interface Parameter {
  $ref?: string;
  name?: string;
  in?: string;
  required?: boolean;
  description?: string;
}
interface Operation {
  summary?: string;
  parameters?: Parameter[];
  responses?: Record<string, unknown>;
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: { parameters: Record<string, Parameter> };
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];
/** Description text on one line, Markdown's emphasis marks escaped. */
const oneLine = (text = '') =>
  text.replace(/\s+/g, ' ').trim().replace(/\*/g, '\\*');

/** The routes of the spec as the README lists them. */
function renderRoutes(spec: Spec): string {
  const lines: string[] = [];
  for (const [path, operations] of Object.entries(spec.paths)) {
    for (const method of METHODS) {
      const operation = operations[method];
      if (!operation) continue;
      const parameters = (operation.parameters ?? [])
        .map(p =>
          p.$ref
            ? spec.components.parameters[p.$ref.split('/').pop() ?? '']
            : p,
        )
        .filter(p => p?.in === 'query');
      lines.push(
        `- \`${method.toUpperCase()} ${path}\` — ${oneLine(
          operation.summary,
        )} Answers ${Object.keys(operation.responses ?? {}).join(', ')}.`,
      );
      for (const p of parameters) {
        const description = oneLine(p.description);
        lines.push(
          `  - \`${p.name}\`${p.required ? ' (required)' : ''}${
            description ? `: ${description}` : ''
          }`,
        );
      }
    }
  }
  return lines.join('\n');
}

describe("the backend README's route reference", () => {
  it('is the OpenAPI spec, rendered (MESH_UPDATE_DOCS=1 rewrites it)', () => {
    const spec = yaml.parse(
      readFileSync(join(__dirname, 'openapi.yaml'), 'utf8'),
    ) as Spec;
    const { current, expected } = generatedSection(
      join(__dirname, '../../README.md'),
      'routes',
      renderRoutes(spec),
    );
    expect(current).toBe(expected);
  });
});
