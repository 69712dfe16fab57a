import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Prints the blockers and the plan of retiring legacy-pricing-service, changing nothing',
    example: yaml.stringify({
      steps: [
        {
          id: 'plan',
          action: 'mesh:service:decommission',
          name: 'Plan the retirement',
          input: {
            entity: 'component:default/legacy-pricing-service',
            reason: 'Replaced by pricing-service',
            dryRun: true,
          },
        },
      ],
    }),
  },
  {
    description:
      'Retires legacy-pricing-service after a 14-day drain window, moving what its VirtualService still routes to pricing-service, deleting its data volume too',
    example: yaml.stringify({
      steps: [
        {
          id: 'decommission',
          action: 'mesh:service:decommission',
          name: 'Retire legacy-pricing-service',
          input: {
            entity: 'component:default/legacy-pricing-service',
            replacement: 'component:default/pricing-service',
            reason: 'Replaced by pricing-service',
            drainWindowSeconds: 1209600,
            include: ['PersistentVolumeClaim/legacy-pricing-cache'],
            podsGoneTimeoutSeconds: 600,
          },
        },
      ],
    }),
  },
];
