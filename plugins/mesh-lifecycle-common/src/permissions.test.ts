import {
  isDeletePermission,
  isResourcePermission,
  isUpdatePermission,
} from '@backstage/plugin-permission-common';
import {
  meshDecommissionPermission,
  meshLifecyclePermissions,
  meshTrafficShiftPermission,
  meshValidationReadPermission,
} from './permissions';

describe('Mesh Lifecycle permissions', () => {
  it('have unique names under the plugin id', () => {
    const names = meshLifecyclePermissions.map(p => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) {
      expect(name).toMatch(/^mesh-lifecycle\.[a-z]+(\.[a-z]+)?$/);
    }
  });

  it('make the write paths on a service resource permissions on its catalog entity', () => {
    for (const permission of [
      meshTrafficShiftPermission,
      meshDecommissionPermission,
    ]) {
      expect(isResourcePermission(permission, 'catalog-entity')).toBe(true);
    }
    expect(isDeletePermission(meshDecommissionPermission)).toBe(true);
    expect(isUpdatePermission(meshTrafficShiftPermission)).toBe(true);
  });

  it('define one read permission, for the mesh-wide validation: entity reads go by the catalog read permission', () => {
    expect(
      meshLifecyclePermissions.filter(p => p.attributes.action === 'read'),
    ).toEqual([meshValidationReadPermission]);
    expect(isResourcePermission(meshValidationReadPermission)).toBe(false);
  });
});
