export * from './types';
export {
  validateMeshConfig,
  validateMeshNamespace,
  meshValidationRules,
} from './validateMeshConfig';
