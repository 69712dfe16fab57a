import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';

/**
 * The scaffolder's tasks as a decommission asks about them: whether the task
 * that claimed a service still runs.
 *
 * @public
 */
export interface ScaffolderTaskStatuses {
  /**
   * A task's status (`open`, `processing`, `completed`, `failed`,
   * `cancelled`, …), or undefined when the scaffolder has no such task.
   */
  status(taskId: string): Promise<string | undefined>;
}

/**
 * The scaffolder's task statuses through its API (`GET /v2/tasks/:id`), as
 * this plugin (a service token for `scaffolder`).
 *
 * @public
 */
export function scaffolderTaskStatuses(options: {
  discovery: DiscoveryService;
  auth: AuthService;
}): ScaffolderTaskStatuses {
  return {
    async status(taskId) {
      const response = await scaffolderGet(options, ['v2', 'tasks', taskId]);
      if (response.status === 404) return undefined;
      if (!response.ok) throw await ResponseError.fromResponse(response);
      const task = (await response.json()) as { status?: unknown };
      return typeof task.status === 'string' ? task.status : undefined;
    },
  };
}

/**
 * The ids of the actions installed in this scaffolder, through its API
 * (`GET /v2/actions`), as this plugin.
 */
export async function scaffolderInstalledActions(options: {
  discovery: DiscoveryService;
  auth: AuthService;
}): Promise<Set<string>> {
  const response = await scaffolderGet(options, ['v2', 'actions']);
  if (!response.ok) throw await ResponseError.fromResponse(response);
  const actions: unknown = await response.json();
  return new Set(
    (Array.isArray(actions) ? actions : []).flatMap((a: unknown) =>
      typeof a === 'object' &&
      a !== null &&
      'id' in a &&
      typeof a.id === 'string'
        ? [a.id]
        : [],
    ),
  );
}

/** A GET of the scaffolder's API at `segments` (each escaped), as this plugin. */
async function scaffolderGet(
  options: { discovery: DiscoveryService; auth: AuthService },
  segments: string[],
): Promise<Response> {
  const { discovery, auth } = options;
  const url = new URL(await discovery.getBaseUrl('scaffolder'));
  url.pathname = [
    url.pathname.replace(/\/+$/, ''),
    ...segments.map(s => encodeURIComponent(s)),
  ].join('/');
  const { token } = await auth.getPluginRequestToken({
    onBehalfOf: await auth.getOwnServiceCredentials(),
    targetPluginId: 'scaffolder',
  });
  return fetch(url, { headers: { authorization: `Bearer ${token}` } });
}
