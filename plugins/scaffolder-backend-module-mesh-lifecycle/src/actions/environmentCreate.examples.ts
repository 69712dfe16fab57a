import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'A test environment for a pull request, deleted after the default 72 hours',
    example: yaml.stringify({
      steps: [
        {
          id: 'environment',
          action: 'mesh:environment:create',
          name: 'Test environment',
          input: {
            cluster: 'test',
            name: 'pr-42-checkout',
            owner: 'group:default/team-a',
          },
        },
      ],
    }),
  },
  {
    description:
      'A week-long environment with a smaller quota, callable from the shared test services',
    example: yaml.stringify({
      steps: [
        {
          id: 'environment',
          action: 'mesh:environment:create',
          name: 'Test environment',
          input: {
            cluster: 'test',
            name: 'loyalty-load-test',
            owner: 'group:default/team-loyalty',
            ttl: '7d',
            quota: {
              requests: { cpu: '2', memory: '4Gi' },
              limits: { cpu: '4', memory: '8Gi' },
              pods: 20,
            },
            allowFromNamespaces: ['shared-test-services'],
            monitoringNamespace: 'observability',
          },
        },
      ],
    }),
  },
];
