export { demoMeshModule as default } from './demoMeshModule';
