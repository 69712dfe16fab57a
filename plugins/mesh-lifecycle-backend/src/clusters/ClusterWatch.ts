import { Agent, STATUS_CODES } from 'node:http';
import { RequestOptions } from 'node:https';
import { KubeConfig, KubernetesObject, Watch } from '@kubernetes/client-node';
import { Answer, ClusterConnections } from './ClusterConnections';

type WatchCallback = (
  phase: string,
  apiObj: KubernetesObject,
  watchObj?: unknown,
) => void;

/**
 * A watch as `@kubernetes/client-node`'s `Watch` makes it (same query, same
 * authentication, same callbacks for `ListWatch`), sent over the cluster's
 * shared connections ({@link ClusterConnections}) instead of a connection and
 * TLS context of its own — a stream of the cluster's HTTP/2 connection where
 * the server speaks HTTP/2, else over HTTP/1.1 — and handing each event's
 * object to `transform` first (what the cache keeps of it). A refused watch ends with an error
 * carrying the HTTP status (`statusCode`), a broken one with the socket's
 * error, one the server ends without error with none.
 */
export class ClusterWatch extends Watch {
  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly connections: ClusterConnections,
    private readonly transform: (object: KubernetesObject) => KubernetesObject,
  ) {
    super(kubeConfig);
  }

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: WatchCallback,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('No currently active cluster');
    const url = new URL(cluster.server + path);
    url.searchParams.set('watch', 'true');
    for (const [key, value] of Object.entries(queryParams)) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const options: RequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(options);
    const controller = new AbortController();
    let ended = false;
    const end = (error: unknown) => {
      if (ended) return;
      ended = true;
      controller.abort();
      done(error);
    };
    // Stopped by its caller: nothing more to say.
    controller.signal.addEventListener('abort', () => {
      ended = true;
    });
    const made = options.agent instanceof Agent ? options.agent : undefined;
    let answer: Answer;
    try {
      answer = await this.connections.get(
        url,
        {
          headers: options.headers,
          ...(options.auth ? { auth: options.auth } : {}),
          signal: controller.signal,
        },
        made,
        'watch',
      );
    } catch (error) {
      // Answered as the client's watch does: through done, then returned.
      end(error);
      return controller;
    }
    const { status, body } = answer;
    if (status !== 200) {
      body.resume();
      const error = new Error(
        answer.statusMessage || STATUS_CODES[status] || 'Internal Server Error',
      );
      Object.assign(error, { statusCode: status });
      end(error);
      return controller;
    }
    body.setEncoding('utf8');
    let partial = '';
    body.on('data', (piece: string) => {
      const lines = (partial + piece).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (ended) return;
        this.event(line, callback);
      }
    });
    body.on('error', end);
    body.on('end', () => {
      if (!ended && partial) this.event(partial, callback);
      end(null);
    });
    body.on('close', () => end(null));
    return controller;
  }

  private event(line: string, callback: WatchCallback): void {
    if (!line.trim()) return;
    let event: { type?: unknown; object?: unknown };
    try {
      event = JSON.parse(line);
    } catch {
      // As the client does: a line that is not JSON is skipped.
      return;
    }
    const object = event.object;
    callback(
      String(event.type),
      (typeof object === 'object' && object !== null
        ? this.transform(object as KubernetesObject)
        : object) as KubernetesObject,
      event,
    );
  }
}
