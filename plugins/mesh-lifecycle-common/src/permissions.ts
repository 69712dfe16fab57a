import {
  ResourcePermission,
  createPermission,
} from '@backstage/plugin-permission-common';

/**
 * The catalog's entity resource type (`RESOURCE_TYPE_CATALOG_ENTITY` of
 * `@backstage/plugin-catalog-common`): the write permissions below act on a
 * service's entity, so catalog permission rules (e.g. "is entity owner")
 * apply to them.
 */
const CATALOG_ENTITY = 'catalog-entity';

/**
 * Changing the traffic split of a service (shifting weights between
 * versions, finishing or rolling back a canary).
 *
 * @public
 */
export const meshTrafficShiftPermission: ResourcePermission<'catalog-entity'> =
  createPermission({
    name: 'mesh-lifecycle.traffic.shift',
    attributes: { action: 'update' },
    resourceType: CATALOG_ENTITY,
  });

/**
 * Moving a service to another lifecycle phase, including overriding a gate
 * that does not pass.
 *
 * @public
 */
export const meshPhaseChangePermission: ResourcePermission<'catalog-entity'> =
  createPermission({
    name: 'mesh-lifecycle.phase.change',
    attributes: { action: 'update' },
    resourceType: CATALOG_ENTITY,
  });

/**
 * Retiring a service: shifting its traffic away, scaling it to zero and
 * cleaning up its cluster objects.
 *
 * @public
 */
export const meshDecommissionPermission: ResourcePermission<'catalog-entity'> =
  createPermission({
    name: 'mesh-lifecycle.decommission',
    attributes: { action: 'delete' },
    resourceType: CATALOG_ENTITY,
  });

/**
 * Applying manifests to a configured cluster (scaffolder actions).
 *
 * @public
 */
export const meshManifestsApplyPermission = createPermission({
  name: 'mesh-lifecycle.manifests.apply',
  attributes: { action: 'create' },
});

/**
 * Creating a short-lived test environment (namespace with isolation, quota
 * and a time-to-live).
 *
 * @public
 */
export const meshEnvironmentCreatePermission = createPermission({
  name: 'mesh-lifecycle.environment.create',
  attributes: { action: 'create' },
});

/**
 * Deleting a test environment before its time-to-live runs out.
 *
 * @public
 */
export const meshEnvironmentDeletePermission = createPermission({
  name: 'mesh-lifecycle.environment.delete',
  attributes: { action: 'delete' },
});

/**
 * Reading the mesh-wide view of the configuration validator
 * (`GET /validation`): the objects of whole namespaces and clusters, claimed by a
 * catalog service or not, so not covered by the catalog's read permission.
 *
 * @public
 */
export const meshValidationReadPermission = createPermission({
  name: 'mesh-lifecycle.validation.read',
  attributes: { action: 'read' },
});

/**
 * Every permission of the plugin, for the permission metadata.
 *
 * @public
 */
export const meshLifecyclePermissions = [
  meshTrafficShiftPermission,
  meshPhaseChangePermission,
  meshDecommissionPermission,
  meshManifestsApplyPermission,
  meshEnvironmentCreatePermission,
  meshEnvironmentDeletePermission,
  meshValidationReadPermission,
];
