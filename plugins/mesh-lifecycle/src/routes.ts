import {
  createExternalRouteRef,
  createRouteRef,
} from '@backstage/core-plugin-api';

/** Route of the fleet page (legacy frontend system). */
export const rootRouteRef = createRouteRef({ id: 'mesh-lifecycle' });

/**
 * A template's page in the scaffolder, for the lifecycle card's "Request
 * retirement" (the retire-service template). Bound to the scaffolder by
 * default in the new frontend system.
 */
export const createFromTemplateRouteRef = createExternalRouteRef({
  id: 'mesh-lifecycle-create-from-template',
  optional: true,
  params: ['namespace', 'templateName'],
  defaultTarget: 'scaffolder.selectedTemplate',
});
