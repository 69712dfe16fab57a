import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import { MeshRetirementBlockers } from './MeshRetirementBlockers';
import {
  MESH_RETIREMENT_BLOCKERS_NAME,
  MeshRetirementBlockersFieldSchema,
} from './schema';

/** The `MeshRetirementBlockers` field for the new frontend system's scaffolder. */
export const MeshRetirementBlockersFormField = createFormField({
  name: MESH_RETIREMENT_BLOCKERS_NAME,
  component: MeshRetirementBlockers,
  schema: MeshRetirementBlockersFieldSchema,
});
