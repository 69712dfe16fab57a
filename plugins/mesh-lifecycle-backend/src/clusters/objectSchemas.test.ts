import { deploymentSchema, keepFields, parseObjects } from './objectSchemas';

const deployment = (name: string, replicas: unknown) => ({
  metadata: { name, namespace: 'shop' },
  spec: { replicas },
});

describe('parseObjects', () => {
  it('keeps the objects that fit and reports the others once', () => {
    const good = deployment('cart', 2);
    const bad = deployment('audit', 'two');
    const invalid = jest.fn();
    const first = parseObjects(deploymentSchema, [good, bad], invalid);
    const second = parseObjects(deploymentSchema, [good, bad], invalid);
    expect(first.map(d => d.metadata.name)).toEqual(['cart']);
    // The same object yields the same parse, and its fault is told once.
    expect(second[0]).toBe(first[0]);
    expect(invalid).toHaveBeenCalledTimes(1);
  });

  it('parses an object anew once the cache replaced it', () => {
    const before = deployment('cart', 2);
    const after = deployment('cart', 3);
    parseObjects(deploymentSchema, [before], jest.fn());
    const [parsed] = parseObjects(deploymentSchema, [after], jest.fn());
    expect(parsed.spec?.replicas).toBe(3);
  });
});

describe('keepFields', () => {
  const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
  const served = (annotations: Record<string, string>) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'cart',
      namespace: 'shop',
      uid: 'u-1',
      resourceVersion: '42',
      annotations,
      managedFields: [{ manager: 'kubectl' }],
    },
    spec: { replicas: 2, paused: false },
  });

  it('keeps the fields read, the resource version and no last-applied copy', () => {
    const kept = keepFields(
      deploymentSchema,
      served({ [LAST_APPLIED]: '{}', 'mesh-lifecycle.io/phase': 'operate' }),
    );
    expect(kept).toStrictEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'cart',
        namespace: 'shop',
        annotations: { 'mesh-lifecycle.io/phase': 'operate' },
        resourceVersion: '42',
      },
      spec: { replicas: 2 },
    });
    // Only the last-applied copy: no annotations at all.
    expect(
      keepFields(deploymentSchema, served({ [LAST_APPLIED]: '{}' })).metadata,
    ).toStrictEqual({ name: 'cart', namespace: 'shop', resourceVersion: '42' });
    // What is kept is its own parse.
    expect(parseObjects(deploymentSchema, [kept], jest.fn())[0]).toBe(kept);
  });

  it('returns an object that does not fit as it is', () => {
    const odd = { ...served({}), spec: { replicas: 'two' } };
    expect(keepFields(deploymentSchema, odd)).toBe(odd);
  });
});
