import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      "Sets legacy-pricing-service's spec.lifecycle to retired in its catalog-info.yaml, fetched into the workspace",
    example: yaml.stringify({
      steps: [
        {
          id: 'catalog-change',
          action: 'mesh:catalog:retire',
          name: 'Mark it retired in the catalog',
          input: {
            entity: 'component:default/legacy-pricing-service',
            mode: 'retired',
          },
        },
      ],
    }),
  },
];
