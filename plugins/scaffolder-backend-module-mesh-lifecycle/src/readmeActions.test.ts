import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { generatedSection } from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { join } from 'node:path';
import meshLifecycleModule from '.';

/** A JSON schema as the scaffolder serves actions' schemas (from zod). */
interface Schema {
  type?: string | string[];
  description?: string;
  enum?: unknown[];
  const?: unknown;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
}

interface ServedAction {
  id: string;
  description?: string;
  examples?: unknown[];
  schema?: { input?: Schema; output?: Schema };
}

/** Description text on one line, Markdown's emphasis marks escaped. */
const oneLine = (text = '') =>
  text.replace(/\s+/g, ' ').trim().replace(/\*/g, '\\*');

function typeOf(schema: Schema): string {
  if (schema.enum) return schema.enum.map(v => JSON.stringify(v)).join(' \\| ');
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  const choices = schema.anyOf ?? schema.oneOf;
  if (choices) return [...new Set(choices.map(typeOf))].join(' \\| ');
  const type = Array.isArray(schema.type)
    ? schema.type.join(' \\| ')
    : schema.type;
  if (type === 'array')
    return `${schema.items ? typeOf(schema.items) : 'any'}[]`;
  return type ?? 'any JSON';
}

function fields(title: string, schema?: Schema): string[] {
  const properties = Object.entries(schema?.properties ?? {});
  if (properties.length === 0) return [];
  return [
    '',
    `${title}:`,
    '',
    ...properties.map(([name, property]) => {
      const required = schema?.required?.includes(name) ? ', required' : '';
      const description = oneLine(property.description);
      return `- \`${name}\` (${typeOf(property)}${required})${
        description ? `: ${description}` : ''
      }`;
    }),
  ];
}

/** Mesh Lifecycle's actions as the README describes them. */
function renderActions(actions: ServedAction[]): string {
  return actions
    .filter(action => action.id.startsWith('mesh:'))
    .sort((a, b) => a.id.localeCompare(b.id))
    .flatMap(action => [
      `### \`${action.id}\``,
      '',
      oneLine(action.description),
      ...fields('Input', action.schema?.input),
      ...fields('Output', action.schema?.output),
      '',
      `Examples: ${
        action.examples?.length ?? 0
      }, in the scaffolder's action list (\`/create/actions\`).`,
      '',
    ])
    .join('\n');
}

describe("the scaffolder module README's action reference", () => {
  it('is what the scaffolder serves of the installed actions (MESH_UPDATE_DOCS=1 rewrites it)', async () => {
    const backend = await startTestBackend({
      features: [
        scaffolderPlugin,
        meshLifecycleModule,
        catalogServiceMock.factory({ entities: [] }),
        mockServices.rootConfig.factory({ data: { meshLifecycle: {} } }),
      ],
    });
    try {
      const { port } = backend.server.address() as { port: number };
      const response = await fetch(
        `http://127.0.0.1:${port}/api/scaffolder/v2/actions`,
        { headers: { authorization: mockCredentials.user.header() } },
      );
      expect(response.status).toBe(200);
      const actions = (await response.json()) as ServedAction[];
      expect(actions.filter(a => a.id.startsWith('mesh:')).length).toBe(8);
      const { current, expected } = generatedSection(
        join(__dirname, '../README.md'),
        'actions',
        renderActions(actions),
      );
      expect(current).toBe(expected);
    } finally {
      await backend.stop();
    }
  });
});
