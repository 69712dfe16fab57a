import { createRouteRef } from '@backstage/core-plugin-api';

/** Route of the fleet page (legacy frontend system). */
export const rootRouteRef = createRouteRef({ id: 'mesh-lifecycle' });
