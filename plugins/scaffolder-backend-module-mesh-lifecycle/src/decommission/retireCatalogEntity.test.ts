import { InputError } from '@backstage/errors';
import { retireCatalogEntity } from './retireCatalogEntity';

const FILE = `# The pricing services of the online store.
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: legacy-pricing-service
  annotations:
    mesh-lifecycle.io/replaced-by: component:default/pricing-service
spec:
  type: service
  lifecycle: deprecated # since 2026-10
  owner: team-platform
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: legacy-pricing-api
spec:
  type: openapi
  lifecycle: deprecated
  owner: team-platform
`;

const legacy = {
  kind: 'component',
  namespace: 'default',
  name: 'legacy-pricing-service',
};

describe('retireCatalogEntity', () => {
  it('sets spec.lifecycle to retired, keeping comments and the other documents', () => {
    const { text, changed } = retireCatalogEntity(FILE, legacy, 'retired');
    expect(changed).toBe(true);
    expect(text).toBe(
      FILE.replace(
        'lifecycle: deprecated # since 2026-10',
        'lifecycle: retired # since 2026-10',
      ),
    );
    // Once is enough.
    expect(retireCatalogEntity(text, legacy, 'retired')).toEqual({
      text,
      changed: false,
    });
  });

  it('changes only the lifecycle, leaving long lines, quoting and spacing as written', () => {
    const written = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name:   legacy-pricing-service
  description: The original monolith-era pricing engine, being retired in favour of pricing-service, which is longer than eighty columns.
  tags: [java,   "legacy"]
spec:
  lifecycle: "deprecated"
  type: service
`;
    expect(retireCatalogEntity(written, legacy, 'retired')).toEqual({
      text: written.replace('lifecycle: "deprecated"', 'lifecycle: retired'),
      changed: true,
    });
    // No lifecycle yet: one is added, and long lines are not folded.
    const without = written.replace('  lifecycle: "deprecated"\n', '');
    const { text } = retireCatalogEntity(without, legacy, 'retired');
    expect(text).toContain('lifecycle: retired');
    expect(text).toContain(
      'description: The original monolith-era pricing engine, being retired in favour of pricing-service, which is longer than eighty columns.\n',
    );
  });

  it('removes the entity’s document, or the whole file when it was the only one', () => {
    const { text } = retireCatalogEntity(FILE, legacy, 'removed');
    expect(text).toContain('name: legacy-pricing-api');
    expect(text).not.toContain('legacy-pricing-service');
    expect(
      retireCatalogEntity(
        text,
        { kind: 'API', namespace: 'default', name: 'legacy-pricing-api' },
        'removed',
      ),
    ).toEqual({
      text: '# API:default/legacy-pricing-api was retired: its entity was removed from the catalog.\n',
      changed: true,
    });
  });

  it('says which entities the file holds when it does not hold this one', () => {
    expect(() =>
      retireCatalogEntity(
        FILE,
        { ...legacy, name: 'pricing-service' },
        'retired',
      ),
    ).toThrow(
      new InputError(
        'The catalog file does not hold component:default/pricing-service; it holds Component:default/legacy-pricing-service, API:default/legacy-pricing-api',
      ),
    );
    expect(() => retireCatalogEntity('kind: [', legacy, 'retired')).toThrow(
      /The catalog file is not valid YAML/,
    );
  });
});
