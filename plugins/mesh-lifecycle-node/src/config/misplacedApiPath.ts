import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';

/**
 * A configured Prometheus or Alertmanager URL that ends in a path of the
 * API or UI itself, e.g. `http://prometheus:9090/api/v1`. Mesh Lifecycle
 * appends the API path (`api/v1/query`, `api/v2/silences`) to the base URL,
 * so such a URL sends every call to `/api/v1/api/v1/query`.
 *
 * @public
 */
export interface MisplacedApiPath {
  /** The path the URL ends in, e.g. `/api/v1`. */
  suffix: string;
  /** The URL without it (nor credentials, query or fragment): what to configure. */
  baseUrl: string;
}

/**
 * The API paths and UI pages of each server. A path prefix of a server behind
 * a proxy (`/prometheus`) is none of them.
 */
const API_PATHS: Record<'prometheus' | 'alertmanager', RegExp> = {
  prometheus: /\/(?:api(?:\/v1(?:\/[^/]+)*)?|graph|query)$/i,
  alertmanager: /\/api(?:\/v[12](?:\/[^/]+)*)?$/i,
};

/**
 * Whether a Prometheus or Alertmanager URL ends in a path of the API itself
 * (`/api/v1`, `/api/v1/query`, `/api`, Prometheus' UI pages `/graph` and
 * `/query`; `/api/v2` for Alertmanager), and the base URL it should be.
 * `undefined` for a base URL, with or without a path prefix.
 *
 * @public
 */
export function misplacedApiPath(
  url: string,
  server: 'prometheus' | 'alertmanager',
): MisplacedApiPath | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const path = parsed.pathname.replace(/\/+$/, '');
  const match = API_PATHS[server].exec(path);
  if (!match) return undefined;
  parsed.pathname = path.slice(0, match.index) || '/';
  parsed.username = '';
  parsed.password = '';
  parsed.search = '';
  parsed.hash = '';
  return {
    suffix: match[0],
    baseUrl: parsed.toString().replace(/\/+$/, ''),
  };
}

/**
 * Warns about each configured Prometheus and Alertmanager URL that ends in an
 * API path. Only a warning: a server behind a path prefix is legitimate, and
 * the configuration was validated already.
 */
export function warnAboutMisplacedApiPaths(
  root: Config | undefined,
  logger: LoggerService | undefined,
): void {
  if (!root || !logger) return;
  const entries: Array<{ config: Config; configPath: string }> = [
    { config: root, configPath: 'meshLifecycle' },
  ];
  for (const key of ['clusters', 'kubernetesPluginClusters']) {
    (root.getOptionalConfigArray(key) ?? []).forEach((config, index) =>
      entries.push({ config, configPath: `meshLifecycle.${key}[${index}]` }),
    );
  }
  for (const { config, configPath } of entries) {
    for (const server of ['prometheus', 'alertmanager'] as const) {
      const url = config.getOptionalString(`${server}.url`);
      const misplaced = url ? misplacedApiPath(url, server) : undefined;
      if (!misplaced) continue;
      const asks =
        server === 'prometheus' ? '/api/v1/query' : '/api/v2/silences';
      logger.warn(
        `Mesh Lifecycle: the ${
          server === 'prometheus' ? 'Prometheus' : 'Alertmanager'
        } URL at '${configPath}.${server}.url' ends in ${
          misplaced.suffix
        }, but Mesh Lifecycle appends ${asks} and the like itself; configure the base URL (${
          misplaced.baseUrl
        }) unless ${misplaced.suffix} really is the path prefix of a proxy`,
      );
    }
  }
}
