import {
  Agent as HttpAgent,
  IncomingMessage,
  request as httpRequest,
} from 'node:http';
import {
  Agent as HttpsAgent,
  AgentOptions,
  RequestOptions,
  request as httpsRequest,
} from 'node:https';
import { createSecureContext } from 'node:tls';

/** Connections a cluster's lists share, at most. */
const LIST_CONNECTIONS = 6;
/**
 * How long a kept connection may stay idle before it is closed: less than
 * servers keep one (Node.js 5 s, Go's net/http longer), so that the client,
 * not the server, closes it.
 */
const IDLE_CONNECTION_MS = 4_000;

/** The settings that make a TLS connection to the cluster what it is. */
const TLS_FIELDS = [
  'ca',
  'cert',
  'key',
  'pfx',
  'passphrase',
  'rejectUnauthorized',
  'servername',
  'ciphers',
  'secureProtocol',
] as const;

function sameValue(a: unknown, b: unknown): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  }
  return a === b;
}

function sameTls(a: AgentOptions, b: AgentOptions): boolean {
  return TLS_FIELDS.every(field => sameValue(a[field], b[field]));
}

interface Pool {
  options: AgentOptions;
  lists: HttpsAgent;
  watches: HttpsAgent;
}

/**
 * The TLS connections of one cluster's caches. `@kubernetes/client-node`
 * makes a new agent for every request, so every list page and every watch
 * opens a connection of its own with a TLS context of its own (its CA and
 * credentials parsed again, ~30 KB of native memory each). Here the
 * cluster's connections share one context, and lists (at most
 * {@link LIST_CONNECTIONS} at a time) and watches reuse connections kept
 * alive, closed after {@link IDLE_CONNECTION_MS} idle. The agent the client
 * made says which TLS settings to use: when they change (credentials an exec
 * plugin renewed), new connections get a new context and agents, and those
 * open go on (a watch is not cut by a renewal). Proxy agents and plain HTTP
 * are used as the client made them.
 */
export class ClusterConnections {
  private pool?: Pool;

  /** The agent to send a list page with, instead of the one the client made. */
  forList(made: HttpAgent | undefined): HttpAgent | undefined {
    return this.poolFor(made)?.lists ?? made;
  }

  /** The agent to open a watch with, instead of the one the client made. */
  forWatch(made: HttpAgent | undefined): HttpAgent | undefined {
    return this.poolFor(made)?.watches ?? made;
  }

  /** Closes every connection kept (watches on them end). */
  close(): void {
    this.pool?.lists.destroy();
    this.pool?.watches.destroy();
    this.pool = undefined;
  }

  private poolFor(made: HttpAgent | undefined): Pool | undefined {
    if (!(made instanceof HttpsAgent) || made.constructor !== HttpsAgent) {
      return undefined;
    }
    const options = made.options;
    if (this.pool && sameTls(this.pool.options, options)) return this.pool;
    // Renewed credentials: new connections use them; open ones (checked at
    // their handshake) go on until they end, and idle ones close on their own.
    const context = createSecureContext(options);
    const agent = (maxSockets: number) =>
      new HttpsAgent({
        ...options,
        secureContext: context,
        keepAlive: true,
        maxSockets,
        maxFreeSockets: 2,
        timeout: IDLE_CONNECTION_MS,
      });
    this.pool = {
      options,
      lists: agent(LIST_CONNECTIONS),
      watches: agent(Infinity),
    };
    return this.pool;
  }
}

/**
 * Sends a request (HTTPS or HTTP, as the URL says) and answers its response.
 * A request sent on a kept-alive connection the server closed meanwhile fails
 * with ECONNRESET before any answer (Node.js marks it `reusedSocket`): it is
 * sent again, once, on another connection. Errors after the answer has begun
 * are the response's to report (its `error` and `close` events).
 */
export function answerOf(
  url: URL,
  options: RequestOptions,
): Promise<IncomingMessage> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const attempt = (mayRetry: boolean) => {
      const sent = send(url, options);
      let answered = false;
      sent.once('response', response => {
        answered = true;
        resolve(response);
      });
      sent.on('error', (error: NodeJS.ErrnoException) => {
        if (answered) return;
        if (mayRetry && sent.reusedSocket && error.code === 'ECONNRESET') {
          attempt(false);
        } else {
          reject(error);
        }
      });
      sent.end();
    };
    attempt(true);
  });
}
