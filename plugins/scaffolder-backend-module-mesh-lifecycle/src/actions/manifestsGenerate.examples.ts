import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Manifests of a new service with the mesh defaults',
    example: yaml.stringify({
      steps: [
        {
          id: 'manifests',
          action: 'mesh:manifests:generate',
          name: 'Mesh manifests',
          input: {
            name: 'loyalty-service',
            namespace: 'shop-dev',
            image: 'registry.example.com/shop/loyalty-service:1.0.0',
          },
        },
      ],
    }),
  },
  {
    description:
      'A canary v2 taking 10% of the traffic, open to two callers, with stricter alerts',
    example: yaml.stringify({
      steps: [
        {
          id: 'manifests',
          action: 'mesh:manifests:generate',
          name: 'Mesh manifests',
          input: {
            name: 'pricing-service',
            namespace: 'shop',
            image: 'registry.example.com/shop/pricing-service:2.0.0',
            version: 'v2',
            phase: 'deploy',
            ports: [
              { port: 80, targetPort: 8080, protocol: 'http' },
              { port: 9000, protocol: 'grpc', suffix: 'quotes' },
            ],
            traffic: {
              timeout: '3s',
              retries: { attempts: 2, perTryTimeout: '1s' },
              versions: [
                { name: 'v1', weight: 90 },
                { name: 'v2', weight: 10 },
              ],
            },
            authorization: {
              callers: [
                { namespace: 'shop', serviceAccount: 'checkout-service' },
                { namespace: 'shop', serviceAccount: 'cart-service' },
              ],
              methods: ['GET'],
              paths: ['/api/prices/*'],
            },
            alerts: { p95LatencyMs: 500, errorRatioPercent: 0.5 },
          },
        },
      ],
    }),
  },
  {
    description:
      'A production service in its own namespace, with config and secret refs, an HPA and a PodDisruptionBudget',
    example: yaml.stringify({
      steps: [
        {
          id: 'manifests',
          action: 'mesh:manifests:generate',
          name: 'Mesh manifests',
          input: {
            name: 'user-service',
            namespace: 'users',
            createNamespace: true,
            image: 'registry.example.com/users/user-service:1.2.3',
            phase: 'operate',
            replicas: 3,
            outputPath: 'deploy/kubernetes',
            env: { LOG_LEVEL: 'info' },
            configMapRefs: ['user-service-config'],
            secretRefs: ['user-service-secrets'],
            resources: { limits: { cpu: '1', memory: '1Gi' } },
            monitoring: { namespace: 'monitoring' },
            hpa: { minReplicas: 3, maxReplicas: 12 },
            pdb: { minAvailable: 2 },
          },
        },
      ],
    }),
  },
];
