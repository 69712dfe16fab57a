import { Server, createServer } from 'http';
import { AddressInfo } from 'net';

/**
 * A silence as Alertmanager's `GET /api/v2/silences` answers it: the
 * fields of its `gettableSilence` schema.
 */
export interface GettableSilence {
  id: string;
  status: { state: 'active' | 'pending' | 'expired' };
  updatedAt: string;
  comment: string;
  createdBy: string;
  startsAt: string;
  endsAt: string;
  matchers: Array<{
    name: string;
    value: string;
    isRegex: boolean;
    isEqual: boolean;
  }>;
}

/** A stand-in for an Alertmanager that serves only its silences. */
export interface SilencesServer {
  /** Base URL, as `meshLifecycle.alertmanager.url` takes it. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Serves `silences` on `GET /api/v2/silences`, the one Alertmanager call the
 * plugin makes, and 404 on any other path. No Alertmanager binary is
 * available to the tests, unlike Prometheus.
 */
export async function startSilencesServer(
  silences: GettableSilence[],
): Promise<SilencesServer> {
  const server: Server = createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' || pathname !== '/api/v2/silences') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(silences));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const url = new URL('http://127.0.0.1');
  url.port = String((server.address() as AddressInfo).port);
  return {
    url: url.origin,
    async stop() {
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    },
  };
}
