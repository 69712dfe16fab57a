import { InputError } from '@backstage/errors';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { createMockDirectory } from '@backstage/backend-test-utils';
import yaml from 'yaml';
import { createCatalogRetireAction } from './catalogRetire';
import { examples } from './catalogRetire.examples';

const CATALOG_INFO = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: legacy-pricing-service
spec:
  type: service
  lifecycle: deprecated
  owner: team-platform
`;

describe('mesh:catalog:retire', () => {
  const workspace = createMockDirectory();
  const run = async (input: {
    entity: string;
    mode?: 'retired' | 'removed';
    path?: string;
  }) => {
    const ctx = createMockActionContext({
      input,
      workspacePath: workspace.path,
    });
    await createCatalogRetireAction().handler(ctx);
    return ctx.output;
  };

  beforeEach(() => workspace.setContent({ 'catalog-info.yaml': CATALOG_INFO }));

  it.each(examples.map(e => [e.description, e.example]))(
    'runs the documented example: %s',
    async (_description, example) => {
      const output = await run(yaml.parse(example).steps[0].input);
      expect(output).toHaveBeenCalledWith('changed', true);
      const retired = CATALOG_INFO.replace(
        'lifecycle: deprecated',
        'lifecycle: retired',
      );
      expect(workspace.content()).toEqual({ 'catalog-info.yaml': retired });
      // The changed file, for a request made by hand.
      expect(output).toHaveBeenCalledWith('content', retired);
    },
  );

  it('says what it did, and that a second time changes nothing', async () => {
    await run({ entity: 'legacy-pricing-service' });
    const output = await run({ entity: 'legacy-pricing-service' });
    expect(output).toHaveBeenCalledWith('changed', false);
    expect(output).toHaveBeenCalledWith(
      'summary',
      'component:default/legacy-pricing-service: spec.lifecycle set to retired in catalog-info.yaml',
    );
  });

  it('names the file, not the workspace folder it was fetched to', async () => {
    workspace.setContent({ 'catalog-change/catalog-info.yaml': CATALOG_INFO });
    const output = await run({
      entity: 'legacy-pricing-service',
      mode: 'removed',
      path: 'catalog-change/catalog-info.yaml',
    });
    expect(output).toHaveBeenCalledWith(
      'summary',
      'component:default/legacy-pricing-service: removed from catalog-info.yaml',
    );
  });

  it('refuses a missing file or one outside the workspace, writing nothing', async () => {
    await expect(
      run({ entity: 'legacy-pricing-service', path: 'nowhere.yaml' }),
    ).rejects.toThrow(
      new InputError(
        "No nowhere.yaml in the workspace: fetch the entity's catalog file first (fetch:plain:file)",
      ),
    );
    await expect(
      run({ entity: 'legacy-pricing-service', path: '../catalog-info.yaml' }),
    ).rejects.toThrow(/outside/);
    expect(workspace.content()).toEqual({ 'catalog-info.yaml': CATALOG_INFO });
  });
});
