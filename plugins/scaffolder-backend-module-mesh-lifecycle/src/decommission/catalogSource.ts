import { Entity } from '@backstage/catalog-model';

/** Where an entity's catalog file lives, and how a change to it is proposed. */
export interface CatalogSource {
  /** The file, for `fetch:plain:file`. */
  url: string;
  /** The file's name, e.g. `catalog-info.yaml`. */
  fileName: string;
  /** `github` or `gitlab` when the URL says so: a pull or merge request. */
  provider?: 'github' | 'gitlab';
  /** The repository as the publish actions take it (`host?owner=…&repo=…`). */
  repoUrl?: string;
  /** The file's folder in the repository (`.` at its root). */
  targetPath?: string;
}

/**
 * Where the entity's catalog file is, from `backstage.io/managed-by-location`
 * (`url:` locations only), with the repository and folder of GitHub
 * (`/<owner>/<repo>/blob/<branch>/<path>`) and GitLab
 * (`/<group>/<project>/-/blob/<branch>/<path>`) file URLs. `undefined` for
 * other locations (a `file:` location has no repository to propose to).
 */
export function catalogSource(entity: Entity): CatalogSource | undefined {
  const location =
    entity.metadata.annotations?.['backstage.io/managed-by-location'];
  if (!location?.startsWith('url:')) return undefined;
  let url: URL;
  try {
    url = new URL(location.slice('url:'.length));
  } catch {
    return undefined;
  }
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const fileName = parts[parts.length - 1] ?? 'catalog-info.yaml';
  const folder = (path: string[]) => path.slice(0, -1).join('/') || '.';
  const gitlab = parts.indexOf('-');
  if (gitlab >= 2 && parts[gitlab + 1] === 'blob') {
    const repo = parts[gitlab - 1];
    const owner = parts.slice(0, gitlab - 1).join('/');
    return {
      url: url.toString(),
      fileName,
      provider: 'gitlab',
      repoUrl: `${url.host}?${new URLSearchParams({ owner, repo })}`,
      targetPath: folder(parts.slice(gitlab + 3)),
    };
  }
  if (parts.length >= 5 && parts[2] === 'blob') {
    const [owner, repo] = parts;
    return {
      url: url.toString(),
      fileName,
      provider: 'github',
      repoUrl: `${url.host}?${new URLSearchParams({ owner, repo })}`,
      targetPath: folder(parts.slice(4)),
    };
  }
  return { url: url.toString(), fileName };
}
