import { withoutBookkeeping } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { z } from 'zod';

const metadata = z.object({
  name: z.string(),
  namespace: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

/**
 * The metadata kept of kinds whose annotations nothing reads (Pods carry
 * Istio's injection status and scrape settings there, most of what they keep
 * otherwise).
 */
const labelledMetadata = metadata.omit({ annotations: true });

/** A Kubernetes label selector, as in a Deployment or ServiceMonitor. */
const labelSelector = z.object({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z
    .array(
      z.object({
        key: z.string(),
        operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
        values: z.array(z.string()).optional(),
      }),
    )
    .optional(),
});

/** Resource quantities, e.g. `{ cpu: '100m', memory: '128Mi' }`. */
const quantities = z.record(z.string(), z.union([z.string(), z.number()]));

/** The fields of a Deployment the plugin reads. */
export const deploymentSchema = z.object({
  kind: z.string().optional(),
  metadata,
  spec: z
    .object({
      replicas: z.number().optional(),
      selector: labelSelector.optional(),
      template: z
        .object({
          metadata: z
            .object({ labels: z.record(z.string(), z.string()).optional() })
            .optional(),
          spec: z
            .object({
              serviceAccountName: z.string().optional(),
              containers: z
                .array(
                  z.object({
                    name: z.string(),
                    resources: z
                      .object({
                        requests: quantities.optional(),
                        limits: quantities.optional(),
                      })
                      .optional(),
                  }),
                )
                .optional(),
            })
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

/**
 * A time stamp: a string on the wire, a `Date` once @kubernetes/client-node
 * has deserialised a typed list. Read as an ISO string either way.
 */
const timestamp = z
  .union([z.string(), z.date()])
  .transform(value =>
    typeof value === 'string' ? value : value.toISOString(),
  );

/** The fields of a Pod the plugin reads. */
export const podSchema = z.object({
  metadata: labelledMetadata,
  spec: z
    .object({
      nodeName: z.string().optional(),
      containers: z.array(z.object({ name: z.string() })).optional(),
    })
    .optional(),
  status: z
    .object({
      phase: z.string().optional(),
      startTime: timestamp.optional(),
      // Only whether the Pod is Ready is read: its other conditions
      // (scheduled, initialized...) are not kept, four objects per Pod.
      conditions: z
        .array(z.object({ type: z.string(), status: z.string() }))
        .transform(conditions => conditions.filter(c => c.type === 'Ready'))
        .optional(),
      containerStatuses: z
        .array(z.object({ name: z.string(), restartCount: z.number() }))
        .optional(),
    })
    .optional(),
});

/** The fields of a Service the plugin reads. */
export const serviceSchema = z.object({
  metadata: labelledMetadata,
  spec: z
    .object({
      selector: z.record(z.string(), z.string()).optional(),
      ports: z
        .array(
          z.object({
            name: z.string().optional(),
            port: z.number(),
            protocol: z.string().optional(),
            appProtocol: z.string().optional(),
            targetPort: z.union([z.number(), z.string()]).optional(),
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
            match: z
              .array(z.object({ gateways: z.array(z.string()).optional() }))
              .optional(),
            timeout: z.string().optional(),
            retries: z
              .object({
                attempts: z.number().optional(),
                perTryTimeout: z.string().optional(),
                retryOn: z.string().optional(),
              })
              .optional(),
          }),
        )
        .optional(),
      tcp: z
        .array(z.object({ route: z.array(destination).optional() }))
        .optional(),
      tls: z
        .array(z.object({ route: z.array(destination).optional() }))
        .optional(),
      gateways: z.array(z.string()).optional(),
      exportTo: z.array(z.string()).optional(),
    })
    .optional(),
});

const tls = z.object({ mode: z.string().optional() });

const trafficPolicy = z.object({
  tls: tls.optional(),
  portLevelSettings: z
    .array(
      z.object({
        port: z.object({ number: z.number().optional() }).optional(),
        tls: tls.optional(),
      }),
    )
    .optional(),
  connectionPool: z
    .object({
      tcp: z.object({ maxConnections: z.number().optional() }).optional(),
      http: z
        .object({
          http1MaxPendingRequests: z.number().optional(),
          http2MaxRequests: z.number().optional(),
          maxRequestsPerConnection: z.number().optional(),
        })
        .optional(),
    })
    .optional(),
  outlierDetection: z
    .object({
      consecutive5xxErrors: z.number().optional(),
      consecutiveGatewayErrors: z.number().optional(),
      consecutiveErrors: z.number().optional(),
    })
    .optional(),
});

/** The fields of a DestinationRule the plugin reads. */
export const destinationRuleSchema = z.object({
  metadata,
  spec: z
    .object({
      host: z.string().optional(),
      trafficPolicy: trafficPolicy.optional(),
      subsets: z
        .array(
          z.object({
            name: z.string().optional(),
            labels: z.record(z.string(), z.string()).optional(),
            trafficPolicy: trafficPolicy.optional(),
          }),
        )
        .optional(),
      exportTo: z.array(z.string()).optional(),
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
      portLevelMtls: z
        .record(z.string(), z.object({ mode: z.string().optional() }))
        .optional(),
      action: z.string().optional(),
      rules: z
        .array(
          z.object({
            from: z
              .array(
                z.object({
                  source: z
                    .object({
                      principals: z.array(z.string()).optional(),
                      notPrincipals: z.array(z.string()).optional(),
                      namespaces: z.array(z.string()).optional(),
                      notNamespaces: z.array(z.string()).optional(),
                      serviceAccounts: z.array(z.string()).optional(),
                    })
                    .optional(),
                }),
              )
              .optional(),
            to: z
              .array(
                z.object({
                  operation: z
                    .object({ hosts: z.array(z.string()).optional() })
                    .optional(),
                }),
              )
              .optional(),
            when: z.array(z.object({ key: z.string().optional() })).optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});

/** A Namespace or ServiceAccount: known by its name. */
export const namedObjectSchema = z.object({ metadata: labelledMetadata });

/** The fields of a ServiceEntry the plugin reads. */
export const serviceEntrySchema = z.object({
  metadata,
  spec: z
    .object({
      hosts: z.array(z.string()).optional(),
      exportTo: z.array(z.string()).optional(),
      endpoints: z
        .array(
          z.object({ labels: z.record(z.string(), z.string()).optional() }),
        )
        .optional(),
    })
    .optional(),
});

/** The fields of an Istio Gateway (networking.istio.io) the plugin reads. */
export const gatewaySchema = z.object({
  metadata,
  spec: z
    .object({
      selector: z.record(z.string(), z.string()).optional(),
      servers: z
        .array(
          z.object({
            port: z
              .object({
                number: z.number().optional(),
                name: z.string().optional(),
                protocol: z.string().optional(),
              })
              .optional(),
            hosts: z.array(z.string()).optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});

/** The fields of a ServiceMonitor (prometheus-operator) the plugin reads. */
export const serviceMonitorSchema = z.object({
  metadata,
  spec: z
    .object({
      selector: labelSelector.optional(),
      namespaceSelector: z
        .object({
          any: z.boolean().optional(),
          matchNames: z.array(z.string()).optional(),
        })
        .optional(),
    })
    .optional(),
});

const INVALID = Symbol('invalid');

/** Parses already made, per schema and object. */
const parsedBySchema = new WeakMap<z.ZodType, WeakMap<object, unknown>>();

/** The cached object each parse was made from. */
const sourceOfParse = new WeakMap<object, object>();

/**
 * Objects kept by `keepFields`, with the schema they were reduced by: each is
 * its own parse by that schema and its own source. One entry per cached
 * object instead of one in each map above.
 */
const keptBy = new WeakMap<object, z.ZodType>();

/**
 * The object, as the cluster serves it, that `parsed` was parsed from by
 * `parseObjects`; the parse keeps only the fields the plugin reads.
 */
export function cachedObjectOf(parsed: object): object | undefined {
  return keptBy.has(parsed) ? parsed : sourceOfParse.get(parsed);
}

function parsesFor(schema: z.ZodType): WeakMap<object, unknown> {
  let memo = parsedBySchema.get(schema);
  if (!memo) {
    memo = new WeakMap();
    parsedBySchema.set(schema, memo);
  }
  return memo;
}

/** What a watch cache needs of an object besides the fields read. */
interface CacheableObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { resourceVersion?: string };
}

/**
 * The object reduced to the fields `schema` reads (annotations without
 * kubectl's last-applied copy), plus what a watch cache needs (apiVersion,
 * kind, name, namespace, resourceVersion): what the
 * caches keep of kinds whose manifests are never shown. The result is
 * recorded as its own parse by `schema`, so `parseObjects` reuses it instead
 * of keeping a second copy. An object that does not fit the schema is
 * returned as it is, for the readers to report.
 *
 * The kept object is read back from its JSON text, which V8 lays out the
 * least it can: every object's fields inside it (built field by field, those
 * past the fourth took an array of their own), every array exactly as long
 * as it is (the parse's arrays, grown element by element, had room for ~16),
 * objects with the same fields sharing one hidden class, short strings
 * shared. A kept Pod takes ~270 bytes less, a Deployment ~200.
 */
export function keepFields(
  schema: z.ZodType,
  object: CacheableObject,
): CacheableObject {
  const parsed = schema.safeParse(object);
  if (
    !parsed.success ||
    typeof parsed.data !== 'object' ||
    parsed.data === null
  ) {
    return object;
  }
  const data = parsed.data as Record<string, unknown>;
  const { apiVersion, kind, metadata: served } = object;
  // The fields read, without kubectl's last-applied copy among annotations.
  const { metadata: read } = withoutBookkeeping({ metadata: data.metadata });
  const kept: CacheableObject = JSON.parse(
    JSON.stringify({
      apiVersion,
      kind,
      ...data,
      metadata: {
        ...(typeof read === 'object' ? read : {}),
        resourceVersion: served?.resourceVersion,
      },
    }),
  );
  keptBy.set(kept, schema);
  return kept;
}

/**
 * Parses the objects of a list, keeping those that fit the schema; an object
 * that does not is reported through `onInvalid` and left out. The watch
 * caches replace an object when it changes, so each object is parsed once
 * per schema and the parse is reused while the object is cached.
 */
export function parseObjects<T extends z.ZodType>(
  schema: T,
  objects: readonly unknown[],
  onInvalid: (message: string) => void,
): Array<z.infer<T>> {
  const known = parsesFor(schema);
  return objects.flatMap(object => {
    const cacheable = typeof object === 'object' && object !== null;
    if (cacheable && keptBy.get(object) === schema) {
      return [object as z.infer<T>];
    }
    if (cacheable && known.has(object)) {
      const earlier = known.get(object);
      return earlier === INVALID ? [] : [earlier as z.infer<T>];
    }
    const parsed = schema.safeParse(object);
    if (parsed.success) {
      if (cacheable) {
        known.set(object, parsed.data);
        if (typeof parsed.data === 'object' && parsed.data !== null) {
          sourceOfParse.set(parsed.data, object);
        }
      }
      return [parsed.data];
    }
    // Reported once: the object stays invalid until it changes.
    if (cacheable) known.set(object, INVALID);
    onInvalid(parsed.error.issues[0]?.message ?? 'invalid object');
    return [];
  });
}
