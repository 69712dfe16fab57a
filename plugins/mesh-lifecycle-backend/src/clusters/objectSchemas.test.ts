import { deploymentSchema, parseObjects } from './objectSchemas';

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
