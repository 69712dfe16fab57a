import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  LIFECYCLE_PHASES,
  stringifyKubernetesYaml,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  MESH_MANIFEST_DEFAULTS as D,
  MESH_MANIFEST_LIMITS as L,
  MESH_PORT_PROTOCOLS,
  buildMeshManifests,
} from './buildMeshManifests';
import { resourcesSchema } from './resourcesSchema';
import { examples } from './manifestsGenerate.examples';

/**
 * `mesh:manifests:generate`: writes into the workspace the Kubernetes, Istio
 * and prometheus-operator manifests of a service, with the mesh defaults
 * (timeouts, retries, outlier detection, STRICT mTLS, alerts) unless the
 * input overrides them. Every object is validated against its upstream
 * schema before anything is written.
 *
 * @public
 */
export function createManifestsGenerateAction() {
  return createTemplateAction({
    id: 'mesh:manifests:generate',
    description:
      'Writes the Namespace, ServiceAccount, Deployment, Service, Istio traffic and security policies, ServiceMonitor, PrometheusRule and optional HPA and PodDisruptionBudget of a service on the mesh.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        name: z =>
          z
            .string()
            .describe('Service name (RFC 1035 label), also the app label'),
        namespace: z => z.string().describe('Namespace of the service'),
        image: z =>
          z
            .string()
            .describe(
              'Container image reference: [registry[:port]/]repository[:tag][@sha256:digest]',
            ),
        kubernetesId: z =>
          z
            .string()
            .optional()
            .describe(
              'Value of the backstage.io/kubernetes-id label (default: name)',
            ),
        version: z =>
          z
            .string()
            .optional()
            .describe(
              `Version label of the Deployment and its subset (default: ${D.version})`,
            ),
        replicas: z =>
          z
            .number()
            .int()
            .min(0)
            .max(L.replicas)
            .optional()
            .describe(
              `Replicas (default: ${D.replicas}, at most ${L.replicas})`,
            ),
        phase: z =>
          z
            .enum(LIFECYCLE_PHASES)
            .optional()
            .describe(
              `Value of the service.lifecycle/phase marker (default: ${D.phase})`,
            ),
        lifecycleStatus: z =>
          z
            .string()
            .optional()
            .describe(
              `Value of the service.lifecycle/status marker (default: ${D.lifecycleStatus})`,
            ),
        createNamespace: z =>
          z
            .boolean()
            .optional()
            .describe(
              'Also write the Namespace, labelled istio-injection: enabled',
            ),
        serviceAccountName: z =>
          z.string().optional().describe('Service account (default: name)'),
        clusterDomain: z =>
          z
            .string()
            .optional()
            .describe(`Cluster domain (default: ${D.clusterDomain})`),
        outputPath: z =>
          z
            .string()
            .optional()
            .describe(
              'Directory in the workspace to write to (default: manifests)',
            ),
        ports: z =>
          z
            .array(
              z.object({
                port: z.number().int().min(1).max(65535),
                targetPort: z.number().int().min(1).max(65535).optional(),
                protocol: z.enum(MESH_PORT_PROTOCOLS).optional(),
                suffix: z.string().optional(),
              }),
            )
            .optional()
            .describe(
              'Service ports, named <protocol>[-suffix] for Istio protocol selection (default: http 80 → 8080)',
            ),
        env: z =>
          z
            .record(z.string(), z.string())
            .optional()
            .describe('Environment variables of the container'),
        configMapRefs: z =>
          z
            .array(z.string())
            .optional()
            .describe('ConfigMaps whose keys become environment variables'),
        secretRefs: z =>
          z
            .array(z.string())
            .optional()
            .describe('Secrets whose keys become environment variables'),
        resources: z =>
          resourcesSchema(z)
            .optional()
            .describe(
              'Resource requests and limits (default: requests 100m/128Mi, limits 500m/512Mi)',
            ),
        probes: z => {
          const probe = z
            .object({
              path: z.string().optional(),
              port: z.number().int().min(1).max(65535).optional(),
              initialDelaySeconds: z
                .number()
                .int()
                .min(0)
                .max(L.probeSeconds)
                .optional(),
              periodSeconds: z
                .number()
                .int()
                .min(1)
                .max(L.probeSeconds)
                .optional(),
              failureThreshold: z
                .number()
                .int()
                .min(1)
                .max(L.probeFailureThreshold)
                .optional(),
            })
            .optional();
          return z
            .object({ readiness: probe, liveness: probe })
            .optional()
            .describe('HTTP readiness and liveness probes (default: /health)');
        },
        traffic: z =>
          z
            .object({
              timeout: z.string().optional(),
              retries: z
                .object({
                  attempts: z
                    .number()
                    .int()
                    .min(0)
                    .max(L.retryAttempts)
                    .optional(),
                  perTryTimeout: z.string().optional(),
                  retryOn: z.string().optional(),
                })
                .optional(),
              versions: z
                .array(
                  z.object({
                    name: z.string(),
                    weight: z.number().int().min(0).max(100),
                  }),
                )
                .optional(),
            })
            .optional()
            .describe(
              `VirtualService timeout, retries and version weights (default: 5s; 3 attempts of 2s on connect-failure,refused-stream; all to version). Durations from 1ms to 24h, at most ${L.retryAttempts} attempts`,
            ),
        connectionPool: z =>
          z
            .object({
              maxConnections: z
                .number()
                .int()
                .min(1)
                .max(L.connectionPool)
                .optional(),
              connectTimeout: z.string().optional(),
              http1MaxPendingRequests: z
                .number()
                .int()
                .min(1)
                .max(L.connectionPool)
                .optional(),
              maxRequestsPerConnection: z
                .number()
                .int()
                .min(0)
                .max(L.connectionPool)
                .optional(),
            })
            .optional()
            .describe(
              'DestinationRule connection pool (default: 100 connections, 30ms connect timeout, 1000 pending, 10 per connection)',
            ),
        outlierDetection: z =>
          z
            .object({
              consecutive5xxErrors: z
                .number()
                .int()
                .min(0)
                .max(L.consecutive5xxErrors)
                .optional(),
              interval: z.string().optional(),
              baseEjectionTime: z.string().optional(),
              maxEjectionPercent: z.number().int().min(0).max(100).optional(),
            })
            .optional()
            .describe(
              'DestinationRule outlier detection (default: 5 consecutive 5xx, 60s interval and ejection, at most 20%)',
            ),
        mtlsMode: z =>
          z
            .enum(['STRICT', 'PERMISSIVE'])
            .optional()
            .describe(`PeerAuthentication mode (default: ${D.mtlsMode})`),
        authorization: z =>
          z
            .object({
              callers: z
                .array(
                  z.object({
                    namespace: z.string(),
                    serviceAccount: z.string(),
                  }),
                )
                .optional(),
              methods: z.array(z.string()).optional(),
              paths: z.array(z.string()).optional(),
              trustDomain: z.string().optional(),
            })
            .optional()
            .describe(
              'AuthorizationPolicy: callers by service account (default: the service namespace), methods (default: GET, POST) and paths (default: /api/*)',
            ),
        monitoring: z =>
          z
            .object({
              namespace: z.string().optional(),
              port: z.number().int().min(1).max(65535).optional(),
              path: z.string().optional(),
              interval: z.string().optional(),
            })
            .optional()
            .describe(
              'ServiceMonitor and PrometheusRule namespace (default: the service namespace) and metrics endpoint (default: port 9090, /metrics every 30s)',
            ),
        alerts: z =>
          z
            .object({
              window: z.string().optional(),
              p95LatencyMs: z.number().positive().lt(L.p95LatencyMs).optional(),
              latencyFor: z.string().optional(),
              latencySeverity: z.string().optional(),
              errorRatioPercent: z.number().positive().max(100).optional(),
              errorFor: z.string().optional(),
              errorSeverity: z.string().optional(),
            })
            .optional()
            .describe(
              'Alerts from the Istio metrics (default: p95 over 1000 ms for 5m, warning; 5xx ratio over 1% for 2m, critical; 5m rate window)',
            ),
        hpa: z =>
          z
            .object({
              minReplicas: z.number().int().min(1).max(L.replicas).optional(),
              maxReplicas: z.number().int().min(1).max(L.replicas).optional(),
              cpuUtilizationPercent: z.number().int().min(1).optional(),
            })
            .optional()
            .describe(
              `Adds a HorizontalPodAutoscaler (default: from replicas to 10 at 80% CPU; at most ${L.replicas} replicas, a CPU target of at most limits / requests)`,
            ),
        pdb: z =>
          z
            .object({ minAvailable: z.number().int().min(0).optional() })
            .optional()
            .describe('Adds a PodDisruptionBudget (default: minAvailable 1)'),
      },
      output: {
        files: z =>
          z
            .array(z.string())
            .describe('The files written, relative to the workspace'),
        summary: z => z.string().describe('What was generated, in one line'),
      },
    },
    async handler(ctx) {
      const { outputPath = 'manifests', ...input } = ctx.input;
      const manifests = buildMeshManifests(input);
      let directory: string;
      try {
        directory = resolveSafeChildPath(ctx.workspacePath, outputPath);
      } catch {
        throw new InputError(
          `Input outputPath must be a directory inside the workspace, got ${JSON.stringify(
            outputPath,
          )}`,
        );
      }
      const relative = path.relative(ctx.workspacePath, directory);
      await fs.mkdir(directory, { recursive: true });
      const files: string[] = [];
      for (const manifest of manifests) {
        await fs.writeFile(
          path.join(directory, manifest.file),
          stringifyKubernetesYaml(manifest.object),
          'utf8',
        );
        files.push(path.posix.join(...relative.split(path.sep), manifest.file));
      }
      const summary = `Wrote ${manifests.length} manifests of ${
        input.name
      } in namespace ${input.namespace} to ${relative || '.'}: ${manifests
        .map(m => m.kind)
        .join(', ')}`;
      ctx.logger.info(summary);
      ctx.output('files', files);
      ctx.output('summary', summary);
    },
  });
}
