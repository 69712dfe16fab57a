export { MeshRetirementBlockers } from './MeshRetirementBlockers';
export {
  MESH_RETIREMENT_BLOCKERS_NAME,
  MeshRetirementBlockersFieldSchema,
} from './schema';
export type { MeshRetirementBlockersProps } from './schema';
