export * from './types';
export { validateMeshConfig, meshValidationRules } from './validateMeshConfig';
