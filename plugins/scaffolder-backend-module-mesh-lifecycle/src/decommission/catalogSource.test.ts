import { Entity } from '@backstage/catalog-model';
import { catalogSource } from './catalogSource';

const at = (location?: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'legacy-pricing-service',
    ...(location
      ? { annotations: { 'backstage.io/managed-by-location': location } }
      : {}),
  },
});

describe('catalogSource', () => {
  it('finds the repository and folder of a GitHub or GitLab file', () => {
    expect(
      catalogSource(
        at(
          'url:https://github.com/acme-retail/legacy-pricing-service/blob/main/catalog-info.yaml',
        ),
      ),
    ).toEqual({
      url: 'https://github.com/acme-retail/legacy-pricing-service/blob/main/catalog-info.yaml',
      fileName: 'catalog-info.yaml',
      provider: 'github',
      repoUrl: 'github.com?owner=acme-retail&repo=legacy-pricing-service',
      targetPath: '.',
    });
    expect(
      catalogSource(
        at(
          'url:https://gitlab.example.com/shop/pricing/legacy/-/blob/main/deploy/catalog/catalog-info.yaml',
        ),
      ),
    ).toMatchObject({
      provider: 'gitlab',
      repoUrl: 'gitlab.example.com?owner=shop%2Fpricing&repo=legacy',
      targetPath: 'deploy/catalog',
    });
  });

  it('gives the file alone elsewhere, and nothing for file locations', () => {
    expect(
      catalogSource(
        at('url:https://repos.example.com/legacy/catalog-info.yaml'),
      ),
    ).toEqual({
      url: 'https://repos.example.com/legacy/catalog-info.yaml',
      fileName: 'catalog-info.yaml',
    });
    expect(catalogSource(at('file:/srv/catalog/all.yaml'))).toBeUndefined();
    expect(catalogSource(at())).toBeUndefined();
  });
});
