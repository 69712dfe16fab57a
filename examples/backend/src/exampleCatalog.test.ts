import {
  KindValidator,
  apiEntityV1alpha1Validator,
  componentEntityV1alpha1Validator,
  domainEntityV1alpha1Validator,
  groupEntityV1alpha1Validator,
  locationEntityV1alpha1Validator,
  resourceEntityV1alpha1Validator,
  systemEntityV1alpha1Validator,
  userEntityV1alpha1Validator,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  LIFECYCLE_PHASES,
  readServiceDeclaration,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { exampleCatalogEntities } from './__testUtils__/exampleCatalog';

const entities = exampleCatalogEntities();
const refs = new Set(entities.map(e => stringifyEntityRef(e)));
const services = entities.filter(
  e => e.kind === 'Component' && e.spec?.type === 'service',
);

describe('the example catalog', () => {
  it('holds 8 to 12 services', () => {
    expect(services.length).toBeGreaterThanOrEqual(8);
    expect(services.length).toBeLessThanOrEqual(12);
  });

  it('has only entities that pass the catalog model validation', async () => {
    const validators: Record<string, KindValidator> = {
      API: apiEntityV1alpha1Validator,
      Component: componentEntityV1alpha1Validator,
      Domain: domainEntityV1alpha1Validator,
      Group: groupEntityV1alpha1Validator,
      Location: locationEntityV1alpha1Validator,
      Resource: resourceEntityV1alpha1Validator,
      System: systemEntityV1alpha1Validator,
      User: userEntityV1alpha1Validator,
    };
    for (const entity of entities) {
      const validator = validators[entity.kind];
      expect(validator).toBeDefined();
      await expect(validator.check(entity)).resolves.toBe(true);
    }
  });

  it('covers every lifecycle phase, read as the plugins read it', () => {
    const phases = new Set(
      services.map(s => readServiceDeclaration(s).declaredPhase?.phase),
    );
    expect([...phases].sort()).toEqual([...LIFECYCLE_PHASES].sort());
  });

  it('resolves every relation to an entity it defines', () => {
    const targets: Array<[string, string, string]> = [];
    for (const entity of entities) {
      const spec = (entity.spec ?? {}) as Record<string, unknown>;
      const kinds: Record<string, string> = {
        owner: 'group',
        system: 'system',
        domain: 'domain',
        parent: 'group',
        providesApis: 'api',
        consumesApis: 'api',
        dependsOn: 'component',
        memberOf: 'group',
      };
      for (const [field, kind] of Object.entries(kinds)) {
        const value = spec[field];
        for (const ref of [value ?? []].flat() as string[]) {
          targets.push([
            stringifyEntityRef(entity),
            field,
            stringifyEntityRef(parseEntityRef(ref, { defaultKind: kind })),
          ]);
        }
      }
    }
    expect(targets.length).toBeGreaterThan(30);
    expect(targets.filter(([, , target]) => !refs.has(target))).toEqual([]);
  });

  it('names the replacement of the retiring service and a consumer still blocking it', () => {
    const retiring = services.filter(
      s => readServiceDeclaration(s).declaredPhase?.phase === 'retire',
    );
    expect(retiring).toHaveLength(1);
    const { replacedBy } = readServiceDeclaration(retiring[0]);
    expect(refs.has(replacedBy!)).toBe(true);
    const retiringApis = (retiring[0].spec?.providesApis as string[]) ?? [];
    const consumers = services.filter(s =>
      ((s.spec?.consumesApis as string[]) ?? []).some(api =>
        retiringApis.includes(api),
      ),
    );
    expect(consumers.length).toBeGreaterThan(0);
  });
});
