import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Annotations of a new service in development',
    example: yaml.stringify({
      steps: [
        {
          id: 'annotations',
          action: 'mesh:catalog:annotate',
          name: 'Mesh lifecycle annotations',
          input: {
            kubernetesId: 'loyalty-service',
            namespace: 'shop-dev',
            cluster: 'dev',
            phase: 'develop',
          },
        },
      ],
    }),
  },
  {
    description:
      'Annotations of a replacement service with stricter thresholds',
    example: yaml.stringify({
      steps: [
        {
          id: 'annotations',
          action: 'mesh:catalog:annotate',
          name: 'Mesh lifecycle annotations',
          input: {
            kubernetesId: 'pricing-service',
            namespace: 'shop',
            replaces: 'legacy-pricing-service',
            p95LatencyMs: 500,
            errorRatioPercent: 0.5,
          },
        },
      ],
    }),
  },
];
