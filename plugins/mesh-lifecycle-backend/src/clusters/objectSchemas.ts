import { z } from 'zod';

const metadata = z.object({
  name: z.string(),
  namespace: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

/** The fields of a Deployment the plugin reads. */
export const deploymentSchema = z.object({
  kind: z.string().optional(),
  metadata,
  spec: z
    .object({
      replicas: z.number().optional(),
      template: z
        .object({
          metadata: z
            .object({ labels: z.record(z.string(), z.string()).optional() })
            .optional(),
        })
        .optional(),
    })
    .optional(),
  status: z
    .object({
      readyReplicas: z.number().optional(),
      availableReplicas: z.number().optional(),
      updatedReplicas: z.number().optional(),
    })
    .optional(),
});

/** The fields of a Service the plugin reads. */
export const serviceSchema = z.object({
  metadata,
  spec: z
    .object({
      selector: z.record(z.string(), z.string()).optional(),
      ports: z
        .array(
          z.object({
            name: z.string().optional(),
            port: z.number(),
            protocol: z.string().optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});

const destination = z.object({
  destination: z
    .object({
      host: z.string().optional(),
      subset: z.string().optional(),
      port: z.object({ number: z.number().optional() }).optional(),
    })
    .optional(),
  weight: z.number().optional(),
});

/** The fields of a VirtualService the plugin reads. */
export const virtualServiceSchema = z.object({
  metadata,
  spec: z
    .object({
      hosts: z.array(z.string()).optional(),
      http: z
        .array(
          z.object({
            name: z.string().optional(),
            route: z.array(destination).optional(),
          }),
        )
        .optional(),
      tcp: z
        .array(z.object({ route: z.array(destination).optional() }))
        .optional(),
      tls: z
        .array(z.object({ route: z.array(destination).optional() }))
        .optional(),
    })
    .optional(),
});

/** The fields of a DestinationRule the plugin reads. */
export const destinationRuleSchema = z.object({
  metadata,
  spec: z
    .object({
      host: z.string().optional(),
      subsets: z
        .array(
          z.object({
            name: z.string().optional(),
            labels: z.record(z.string(), z.string()).optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});

/** The fields of a PeerAuthentication or AuthorizationPolicy the plugin reads. */
export const workloadPolicySchema = z.object({
  metadata,
  spec: z
    .object({
      selector: z
        .object({ matchLabels: z.record(z.string(), z.string()).optional() })
        .optional(),
      mtls: z.object({ mode: z.string().optional() }).optional(),
    })
    .optional(),
});

/**
 * Parses the objects of a list, keeping those that fit the schema; an object
 * that does not is reported through `onInvalid` and left out.
 */
export function parseObjects<T extends z.ZodType>(
  schema: T,
  objects: readonly unknown[],
  onInvalid: (message: string) => void,
): Array<z.infer<T>> {
  return objects.flatMap(object => {
    const parsed = schema.safeParse(object);
    if (parsed.success) return [parsed.data];
    onInvalid(parsed.error.issues[0]?.message ?? 'invalid object');
    return [];
  });
}
