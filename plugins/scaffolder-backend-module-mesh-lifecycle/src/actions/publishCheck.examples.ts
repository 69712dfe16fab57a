import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Before applying manifests: the GitHub publish and catalog registration steps can run',
    example: yaml.stringify({
      steps: [
        {
          id: 'publish-check',
          action: 'mesh:publish:check',
          name: 'Check where the repository goes',
          input: {
            actions: ['publish:github', 'catalog:register'],
            repoUrl: 'github.com?owner=shop&repo=orders-service',
          },
        },
      ],
    }),
  },
];
