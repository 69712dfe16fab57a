import { JsonObject } from '../kubernetes/json';

/**
 * Options of {@link runScaffolderTask}.
 *
 * @public
 */
export interface RunScaffolderTaskOptions {
  /** Base URL of a backend with the scaffolder plugin, e.g. `http://127.0.0.1:7007`. */
  baseUrl: string;
  /** The `Authorization` header to send, e.g. `mockCredentials.user.header()`. */
  authorization: string;
  /** The template, e.g. `template:default/mesh-service`. */
  templateRef: string;
  /** The form values. */
  values: JsonObject;
  /** How long to wait for the task to end. Default 30 seconds. */
  timeoutMs?: number;
}

/**
 * How a scaffolder task ended.
 *
 * @public
 */
export interface ScaffolderTaskResult {
  /** The task's id. */
  id: string;
  /** `completed`, `failed`, or the last status seen when the wait ran out. */
  status: string;
  /** The template's output, when the task completed. */
  output?: JsonObject;
  /** The task's log, one message per line. */
  log: string;
}

interface TaskEvent {
  type: string;
  body: { message?: string; output?: JsonObject };
}

/**
 * Runs a template through the scaffolder's HTTP API as the portal does
 * (`POST /api/scaffolder/v2/tasks`), waits for the task to end and returns
 * its status, output and log.
 *
 * @public
 */
export async function runScaffolderTask(
  options: RunScaffolderTaskOptions,
): Promise<ScaffolderTaskResult> {
  const call = async (path: string, body?: JsonObject) => {
    const url = new URL(options.baseUrl);
    url.pathname = path;
    const response = await fetch(url, {
      method: body ? 'POST' : 'GET',
      headers: {
        authorization: options.authorization,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(`${path}: HTTP ${response.status} ${text}`);
    }
    return JSON.parse(text);
  };
  const { id } = await call('/api/scaffolder/v2/tasks', {
    templateRef: options.templateRef,
    values: options.values,
  });
  const taskPath = `/api/scaffolder/v2/tasks/${encodeURIComponent(id)}`;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let status = 'open';
  while (!['completed', 'failed'].includes(status) && Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 100));
    status = (await call(taskPath)).status;
  }
  const events: TaskEvent[] = await call(`${taskPath}/events`);
  const output = events.find(e => e.type === 'completion')?.body.output;
  return {
    id,
    status,
    ...(status === 'completed' && output ? { output } : {}),
    log: events
      .map(e => e.body.message)
      .filter(m => m !== undefined)
      .join('\n'),
  };
}
