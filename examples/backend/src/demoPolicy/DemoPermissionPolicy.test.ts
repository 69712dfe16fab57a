import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  meshDecommissionPermission,
  meshTrafficShiftPermission,
  meshValidationReadPermission,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { DemoPermissionPolicy } from './DemoPermissionPolicy';

const daniel = {
  identity: {
    type: 'user' as const,
    userEntityRef: 'user:default/daniel-okafor',
    ownershipEntityRefs: [
      'user:default/daniel-okafor',
      'group:default/team-commerce',
    ],
  },
  info: {
    userEntityRef: 'user:default/daniel-okafor',
    ownershipEntityRefs: [
      'user:default/daniel-okafor',
      'group:default/team-commerce',
    ],
  },
  token: 'token',
  credentials: {
    $$type: '@backstage/BackstageCredentials' as const,
    principal: {
      type: 'user' as const,
      userEntityRef: 'user:default/daniel-okafor',
    },
  },
};

describe('the demo permission policy', () => {
  const policy = new DemoPermissionPolicy();

  it("leaves shifting a service's traffic and retiring it to the entity's owners", async () => {
    for (const permission of [
      meshTrafficShiftPermission,
      meshDecommissionPermission,
    ]) {
      expect(await policy.handle({ permission }, daniel)).toEqual({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'catalog',
        resourceType: 'catalog-entity',
        conditions: {
          rule: 'IS_ENTITY_OWNER',
          resourceType: 'catalog-entity',
          params: {
            claims: [
              'user:default/daniel-okafor',
              'group:default/team-commerce',
            ],
          },
        },
      });
    }
    // Without a user, no one owns anything.
    expect(
      await policy.handle({ permission: meshTrafficShiftPermission }),
    ).toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      conditions: { params: { claims: [] } },
    });
  });

  it('allows the rest', async () => {
    expect(
      await policy.handle({ permission: meshValidationReadPermission }, daniel),
    ).toEqual({
      result: AuthorizeResult.ALLOW,
    });
  });
});
