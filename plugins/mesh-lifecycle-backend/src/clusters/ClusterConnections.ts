import {
  Agent as HttpAgent,
  IncomingMessage,
  request as httpRequest,
} from 'node:http';
import {
  ClientHttp2Session,
  ClientHttp2Stream,
  OutgoingHttpHeaders,
  connect as connectHttp2,
} from 'node:http2';
import {
  Agent as HttpsAgent,
  AgentOptions,
  RequestOptions,
  request as httpsRequest,
} from 'node:https';
import { isIP } from 'node:net';
import { Readable } from 'node:stream';
import {
  SecureContext,
  connect as connectTls,
  createSecureContext,
} from 'node:tls';

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

/** How often an idle connection is probed (TCP keep-alive), as the client does. */
const KEEP_ALIVE_MS = 30_000;

/** HTTP/2 flow-control windows, as client-go's (Go's HTTP/2 transport). */
const STREAM_WINDOW = 4 * 1024 * 1024;
const CONNECTION_WINDOW = 1024 * 1024 * 1024 - 1;

/** How long making the HTTP/2 connection (TCP and TLS) may take. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Streams an HTTP/2 connection carries at most when the server does not say
 * (kube-apiserver allows more, and says so).
 */
const DEFAULT_MAX_STREAMS = 100;

/** A server's answer: status, headers and the body to read. */
export interface Answer {
  status: number;
  statusMessage?: string;
  headers: Record<string, string>;
  body: Readable;
}

function headersOf(response: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) {
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
  }
  return headers;
}

/** Streams opened by {@link openStream} and not yet closed, per connection. */
const openStreams = new WeakMap<ClientHttp2Session, number>();

interface Pool {
  options: AgentOptions;
  context: SecureContext;
  lists: HttpsAgent;
  watches: HttpsAgent;
  /** `false` once the server answered without HTTP/2. */
  http2?: false;
  /** The HTTP/2 connection watches are streams of. */
  session?: ClientHttp2Session;
  connecting?: Promise<ClientHttp2Session | undefined>;
}

/**
 * The TLS connections of one cluster's caches. `@kubernetes/client-node`
 * makes a new agent for every request, so every list page and every watch
 * opens a connection of its own with a TLS context of its own (its CA and
 * credentials parsed again, ~30 KB of native memory each). Here the
 * cluster's connections share one context: where the server speaks HTTP/2,
 * one connection carries every list page and watch as streams
 * (`forStream`); otherwise lists (at most {@link LIST_CONNECTIONS} at a
 * time) and watches reuse HTTP/1.1 connections kept alive, closed after
 * {@link IDLE_CONNECTION_MS} idle. The agent the client
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

  /**
   * The HTTP/2 connection to send a list page or open a watch on, as a
   * stream, as client-go sends all of a cluster's requests: one connection
   * for all of them instead of a TLS connection per watch (~90 KB of native
   * memory each) and up to 6 for lists. Undefined when the client's agent is
   * not replaced (proxy, plain HTTP), when the server does not speak HTTP/2
   * (asked once, by ALPN, and remembered: then HTTP/1.1 as `forList` and
   * `forWatch` give) and when the connection carries as many streams as the
   * server allows (then HTTP/1.1 for that request). Rejects when the
   * connection cannot be made, as a request would.
   */
  async forStream(
    url: URL,
    made: HttpAgent | undefined,
  ): Promise<ClientHttp2Session | undefined> {
    const pool = this.poolFor(made);
    if (!pool || pool.http2 === false) return undefined;
    const open = pool.session;
    if (open && !open.closed && !open.destroyed) {
      const allowed =
        open.remoteSettings.maxConcurrentStreams ?? DEFAULT_MAX_STREAMS;
      return (openStreams.get(open) ?? 0) < allowed ? open : undefined;
    }
    pool.connecting ??= this.connect(pool, url).finally(() => {
      pool.connecting = undefined;
    });
    return pool.connecting;
  }

  /**
   * A GET to the cluster, as a stream of its HTTP/2 connection where the
   * server offers one ({@link ClusterConnections.forStream}), else over the
   * lists' or the watches' HTTP/1.1 connections (a watch's kept alive by TCP
   * probes): answered once the server has answered its headers.
   */
  async get(
    url: URL,
    options: Pick<RequestOptions, 'headers' | 'auth' | 'signal'>,
    made: HttpAgent | undefined,
    use: 'list' | 'watch',
  ): Promise<Answer> {
    const session = await this.forStream(url, made);
    if (session) {
      const { status, headers, stream } = await openStream(
        session,
        url,
        options,
      );
      return { status, headers, body: stream };
    }
    const response = await answerOf(url, {
      ...options,
      method: 'GET',
      agent: use === 'list' ? this.forList(made) : this.forWatch(made),
    });
    if (use === 'watch') response.socket.setKeepAlive(true, KEEP_ALIVE_MS);
    return {
      status: response.statusCode ?? 0,
      statusMessage: response.statusMessage,
      headers: headersOf(response),
      body: response,
    };
  }

  /** Closes every connection kept (watches on them end). */
  close(): void {
    this.pool?.lists.destroy();
    this.pool?.watches.destroy();
    this.pool?.session?.destroy();
    this.pool = undefined;
  }

  private connect(
    pool: Pool,
    url: URL,
  ): Promise<ClientHttp2Session | undefined> {
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const servername =
      pool.options.servername ?? (isIP(host) ? undefined : host);
    return new Promise((resolve, reject) => {
      const socket = connectTls({
        host,
        port: Number(url.port || 443),
        ...(servername ? { servername } : {}),
        secureContext: pool.context,
        rejectUnauthorized: pool.options.rejectUnauthorized !== false,
        ALPNProtocols: ['h2', 'http/1.1'],
      });
      socket.once('error', reject);
      // A server that does not answer fails the watch as a request would,
      // instead of holding every watch of the cluster.
      socket.setTimeout(CONNECT_TIMEOUT_MS, () =>
        socket.destroy(
          new Error(`no TLS handshake within ${CONNECT_TIMEOUT_MS} ms`),
        ),
      );
      socket.once('secureConnect', () => {
        socket.removeListener('error', reject);
        socket.setTimeout(0);
        if (this.pool !== pool) {
          // Closed, or new credentials, meanwhile.
          socket.destroy();
          reject(new Error('the cluster connections were closed'));
          return;
        }
        if (socket.alpnProtocol !== 'h2') {
          socket.destroy();
          pool.http2 = false;
          resolve(undefined);
          return;
        }
        socket.setKeepAlive(true, KEEP_ALIVE_MS);
        const session = connectHttp2(url.origin, {
          createConnection: () => socket,
          // Flow control as client-go's: a list page of megabytes is not
          // held to 64 KB per round trip.
          settings: { initialWindowSize: STREAM_WINDOW },
        });
        session.once('connect', () =>
          session.setLocalWindowSize(CONNECTION_WINDOW),
        );
        // Each stream reports a failure of its connection.
        session.on('error', () => {});
        const forget = () => {
          if (pool.session === session) pool.session = undefined;
        };
        session.once('close', forget);
        session.once('goaway', forget);
        pool.session = session;
        resolve(session);
      });
    });
  }

  private poolFor(made: HttpAgent | undefined): Pool | undefined {
    if (!(made instanceof HttpsAgent) || made.constructor !== HttpsAgent) {
      return undefined;
    }
    const options = made.options;
    if (this.pool && sameTls(this.pool.options, options)) return this.pool;
    // Renewed credentials: new connections use them; open ones (checked at
    // their handshake) go on until they end, and idle ones close on their own
    // (the HTTP/2 one once its streams have ended).
    this.pool?.session?.close();
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
      context,
      lists: agent(LIST_CONNECTIONS),
      watches: agent(Infinity),
    };
    return this.pool;
  }
}

/** Headers HTTP/2 forbids (RFC 9113 §8.2.2); the authority replaces Host. */
const CONNECTION_HEADERS = new Set([
  'connection',
  'host',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
]);

/**
 * Opens a GET stream on an HTTP/2 connection (headers as an HTTP/1.1 request
 * would send them, connection-specific ones left out) and answers it once
 * the server has answered its headers, or rejects when it fails before.
 */
export function openStream(
  session: ClientHttp2Session,
  url: URL,
  options: Pick<RequestOptions, 'headers' | 'auth' | 'signal'>,
): Promise<{
  status: number;
  headers: Record<string, string>;
  stream: ClientHttp2Stream;
}> {
  const headers: OutgoingHttpHeaders = {
    ':method': 'GET',
    ':path': `${url.pathname}${url.search}`,
  };
  const given = options.headers;
  if (given && !Array.isArray(given)) {
    for (const [name, value] of Object.entries(given)) {
      const lower = name.toLowerCase();
      if (value !== undefined && !CONNECTION_HEADERS.has(lower)) {
        headers[lower] = value;
      }
    }
  }
  if (options.auth) {
    headers.authorization = `Basic ${Buffer.from(options.auth).toString(
      'base64',
    )}`;
  }
  const stream = session.request(
    headers,
    options.signal ? { signal: options.signal } : {},
  );
  openStreams.set(session, (openStreams.get(session) ?? 0) + 1);
  stream.once('close', () => {
    openStreams.set(session, (openStreams.get(session) ?? 1) - 1);
  });
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.once('response', answered => {
      stream.removeListener('error', reject);
      const received: Record<string, string> = {};
      for (const [name, value] of Object.entries(answered)) {
        if (!name.startsWith(':') && value !== undefined) {
          received[name] = Array.isArray(value) ? value.join(', ') : value;
        }
      }
      resolve({
        status: Number(answered[':status']),
        headers: received,
        stream,
      });
    });
  });
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
