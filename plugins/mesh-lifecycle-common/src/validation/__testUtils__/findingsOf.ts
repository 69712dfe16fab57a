import {
  MeshConfigSnapshot,
  ValidateMeshNamespaceOptions,
  ValidationFinding,
} from '../types';
import { validateMeshNamespace } from '../validateMeshConfig';

/**
 * The mesh-wide findings of one code, each described as
 * `kind/namespace/name path` unless told otherwise.
 */
export function findingsOf(
  code: string,
  snapshot: MeshConfigSnapshot,
  options: Partial<ValidateMeshNamespaceOptions> = {},
  describe: (finding: ValidationFinding) => string = f =>
    `${f.object.kind}/${f.object.namespace}/${f.object.name} ${f.path}`,
): string[] {
  return validateMeshNamespace({ snapshot, ...options })
    .filter(f => f.code === code)
    .map(describe);
}
