import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Applies the manifests written by mesh:manifests:generate to the dev cluster',
    example: yaml.stringify({
      steps: [
        {
          id: 'apply',
          action: 'mesh:manifests:apply',
          name: 'Apply to dev',
          input: { cluster: 'dev' },
        },
      ],
    }),
  },
  {
    description:
      'Shows what applying a folder would change, in a default namespace, without writing',
    example: yaml.stringify({
      steps: [
        {
          id: 'preview',
          action: 'mesh:manifests:apply',
          name: 'Preview on dev',
          input: {
            cluster: 'dev',
            path: 'deploy/kubernetes',
            namespace: 'shop-dev',
            dryRun: true,
          },
        },
      ],
    }),
  },
  {
    description:
      'Takes over objects that Argo CD or Flux managed, e.g. when moving a service off GitOps',
    example: yaml.stringify({
      steps: [
        {
          id: 'apply',
          action: 'mesh:manifests:apply',
          name: 'Apply to dev, taking over',
          input: { cluster: 'dev', path: 'manifests', force: true },
        },
      ],
    }),
  },
];
