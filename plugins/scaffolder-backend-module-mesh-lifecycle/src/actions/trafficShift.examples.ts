import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      "Promotes checkout-service's v2 canary to 100 % in four steps, judging each over two minutes",
    example: yaml.stringify({
      steps: [
        {
          id: 'canary',
          action: 'mesh:traffic:shift',
          name: 'Promote the canary',
          input: {
            entity: 'component:default/checkout-service',
            canary: { subset: 'v2', steps: [10, 25, 50, 100] },
            pauseSeconds: 120,
            analysis: {
              max5xxPercent: 1,
              maxP95LatencyMs: 1000,
              minRequests: 100,
            },
          },
        },
      ],
    }),
  },
  {
    description:
      'Blue-green: switches all traffic to the green subset at once, rolling back if it fails within a minute',
    example: yaml.stringify({
      steps: [
        {
          id: 'switch',
          action: 'mesh:traffic:shift',
          name: 'Switch to green',
          input: {
            entity: 'component:default/checkout-service',
            switchTo: { subset: 'green' },
            pauseSeconds: 60,
          },
        },
      ],
    }),
  },
  {
    description:
      'Prints the steps of a shift to given weights on a named cluster and route, changing nothing',
    example: yaml.stringify({
      steps: [
        {
          id: 'preview',
          action: 'mesh:traffic:shift',
          name: 'Preview',
          input: {
            entity: 'component:default/checkout-service',
            cluster: 'prod',
            namespace: 'shop',
            virtualService: 'checkout-service',
            route: 'default',
            weights: [
              { subset: 'v1', weight: 50 },
              { subset: 'v2', weight: 50 },
            ],
            dryRun: true,
          },
        },
      ],
    }),
  },
];
