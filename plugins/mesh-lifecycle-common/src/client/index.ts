export * from './MeshLifecycleClient';
