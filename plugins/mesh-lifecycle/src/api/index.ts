export { meshLifecycleApiRef } from './MeshLifecycleApi';
export type { MeshLifecycleApi } from './MeshLifecycleApi';
export { MeshLifecycleClient } from './MeshLifecycleClient';
