/**
 * Scaffolder actions of Mesh Lifecycle.
 *
 * @packageDocumentation
 */

export { scaffolderModuleMeshLifecycle as default } from './module';
export * from './actions';
export { stringifyKubernetesYaml } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
