import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  AuthorizeResult,
  PolicyDecision,
  isPermission,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  meshDecommissionPermission,
  meshPhaseChangePermission,
  meshTrafficShiftPermission,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';

/** What only a service's owners may do to it. */
const OWNERS_ONLY = [
  meshTrafficShiftPermission,
  meshPhaseChangePermission,
  meshDecommissionPermission,
];

/**
 * The demo portal's policy, as a platform team might start: anyone signed
 * in may read and create, but shifting a service's traffic, changing its
 * phase or retiring it is for the owners of its catalog entity (the
 * catalog's `IS_ENTITY_OWNER` rule, on the user's ownership refs).
 */
export class DemoPermissionPolicy implements PermissionPolicy {
  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    for (const permission of OWNERS_ONLY) {
      if (isPermission(request.permission, permission)) {
        return createCatalogConditionalDecision(
          permission,
          catalogConditions.isEntityOwner({
            claims: user?.info.ownershipEntityRefs ?? [],
          }),
        );
      }
    }
    return { result: AuthorizeResult.ALLOW };
  }
}
