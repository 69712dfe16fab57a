import { retirementNotification } from './retirementNotification';

describe('retirementNotification', () => {
  const dependents = {
    callers: [],
    owners: ['group:default/team-inventory', 'group:default/team-data'],
    dependents: [
      'component:default/inventory-service',
      'component:default/reporting-service',
    ],
    unanswered: [],
  };

  it('tells the owners of the dependents what goes, why, what replaces it and where to look', () => {
    expect(
      retirementNotification({
        entityRef: 'component:default/legacy-pricing-service',
        requestedBy: 'user:default/daniel-okafor',
        reason: 'Replaced by pricing-service',
        replacement: 'component:default/pricing-service',
        drainWindow: '7 days',
        dependents,
      }),
    ).toEqual({
      recipients: {
        type: 'entity',
        entityRef: ['group:default/team-inventory', 'group:default/team-data'],
      },
      payload: {
        title: 'legacy-pricing-service is being retired',
        description:
          'user:default/daniel-okafor filed its retirement: Replaced by pricing-service. Still using it: component:default/inventory-service, component:default/reporting-service. Move to component:default/pricing-service: it is removed once nothing has called it for 7 days.',
        link: '/catalog/default/component/legacy-pricing-service',
        severity: 'high',
        topic: 'mesh-lifecycle.retirement',
        scope: 'retirement:component:default/legacy-pricing-service',
      },
    });
  });

  it('sends nothing when nothing depends on it, and says when there is no replacement', () => {
    const base = {
      entityRef: 'component:default/legacy-pricing-service',
      reason: 'Unused',
      drainWindow: '1 hour',
    };
    expect(
      retirementNotification({
        ...base,
        dependents: { ...dependents, owners: [], dependents: [] },
      }),
    ).toBeUndefined();
    expect(
      retirementNotification({ ...base, replacement: 'none', dependents })
        ?.payload.description,
    ).toContain('It has no replacement: it is removed once');
  });
});
