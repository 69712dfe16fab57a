/**
 * The frontend's {@link MeshLifecycleApi} implementation is the typed client
 * of -common, built in the plugin from the app's discovery and fetch APIs (so
 * the user's Backstage token goes along).
 */
export { MeshLifecycleClient } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
