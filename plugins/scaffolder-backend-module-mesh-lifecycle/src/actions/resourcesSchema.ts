import type { z as zod } from 'zod/v3';

/**
 * CPU and memory requests and limits as Kubernetes writes them (quantities
 * such as `500m` and `512Mi`, checked when the objects are built), shared by
 * a Deployment's resources and a test environment's quota.
 */
export function resourcesSchema(z: typeof zod) {
  const amounts = z
    .object({ cpu: z.string().optional(), memory: z.string().optional() })
    .optional();
  return z.object({ requests: amounts, limits: amounts });
}
