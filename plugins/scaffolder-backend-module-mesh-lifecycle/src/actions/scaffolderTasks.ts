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
  const { discovery, auth } = options;
  return {
    async status(taskId) {
      const url = new URL(await discovery.getBaseUrl('scaffolder'));
      url.pathname = [
        url.pathname.replace(/\/+$/, ''),
        'v2',
        'tasks',
        encodeURIComponent(taskId),
      ].join('/');
      const { token } = await auth.getPluginRequestToken({
        onBehalfOf: await auth.getOwnServiceCredentials(),
        targetPluginId: 'scaffolder',
      });
      const response = await fetch(url, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (response.status === 404) return undefined;
      if (!response.ok) throw await ResponseError.fromResponse(response);
      const task = (await response.json()) as { status?: unknown };
      return typeof task.status === 'string' ? task.status : undefined;
    },
  };
}
