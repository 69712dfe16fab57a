/**
 * Backend plugin of Mesh Lifecycle: answers the frontend and the scaffolder
 * actions about a catalog entity's service on the mesh.
 *
 * @packageDocumentation
 */

export { meshLifecyclePlugin as default } from './plugin';
