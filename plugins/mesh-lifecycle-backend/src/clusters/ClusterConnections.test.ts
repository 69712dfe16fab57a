import { generateKeyPairSync } from 'node:crypto';
import { Agent as HttpAgent, createServer } from 'node:http';
import { ClientHttp2Stream } from 'node:http2';
import { Agent as HttpsAgent, RequestOptions } from 'node:https';
import { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import {
  KubernetesEmulator,
  startKubernetesEmulator,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { ClusterConnections, answerOf, openStream } from './ClusterConnections';

describe('ClusterConnections', () => {
  it('gives one kept-alive agent per use while the TLS settings stay the same', () => {
    const connections = new ClusterConnections();
    try {
      const made = () =>
        new HttpsAgent({ ca: Buffer.from('ca'), rejectUnauthorized: true });
      const list = connections.forList(made());
      expect(list).toBeInstanceOf(HttpsAgent);
      expect(list).not.toBe(connections.forWatch(made()));
      expect(connections.forList(made())).toBe(list);
      expect((list as HttpsAgent).options).toMatchObject({
        keepAlive: true,
        maxSockets: 6,
        secureContext: expect.anything(),
      });
    } finally {
      connections.close();
    }
  });

  it('uses new connections when the credentials change, leaving open ones to finish', () => {
    const connections = new ClusterConnections();
    try {
      const key = () =>
        generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
          type: 'pkcs8',
          format: 'pem',
        });
      const first = connections.forWatch(
        new HttpsAgent({ key: key() }),
      ) as HttpsAgent;
      const destroy = jest.spyOn(first, 'destroy');
      const renewed = connections.forWatch(
        new HttpsAgent({ key: key() }),
      ) as HttpsAgent;
      expect(renewed).not.toBe(first);
      expect(renewed.options.secureContext).not.toBe(
        first.options.secureContext,
      );
      // A watch open on the old connection is not cut.
      expect(destroy).not.toHaveBeenCalled();
    } finally {
      connections.close();
    }
  });

  it('leaves plain HTTP and proxy agents as the client made them', () => {
    const connections = new ClusterConnections();
    const plain = new HttpAgent();
    class ProxyAgent extends HttpsAgent {}
    const proxy = new ProxyAgent();
    expect(connections.forList(plain)).toBe(plain);
    expect(connections.forWatch(proxy)).toBe(proxy);
    expect(connections.forList(undefined)).toBeUndefined();
  });
});

describe('answerOf', () => {
  it('sends again, once, a request whose kept-alive connection the server had closed', async () => {
    let requests = 0;
    const server = createServer((req, res) => {
      requests += 1;
      res.end('ok');
      // Closed once answered, as a server whose keep-alive ran out.
      if (requests === 1) res.on('finish', () => req.socket.destroy());
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const agent = new HttpAgent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      answerOf(new URL(`http://127.0.0.1:${port}/`), { agent }).then(
        response => {
          response.resume();
          return new Promise<number | undefined>(resolve =>
            response.on('end', () => resolve(response.statusCode)),
          );
        },
      );
    try {
      expect(await get()).toBe(200);
      expect(await get()).toBe(200);
      expect(requests).toBe(2);
    } finally {
      agent.destroy();
      await new Promise(resolve => server.close(resolve));
    }
  });

  it('reports a failure on a new connection without sending again', async () => {
    const server = createServer();
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise(resolve => server.close(resolve));
    const agent = new HttpAgent();
    const connect = jest.spyOn(agent, 'createConnection');
    await expect(
      answerOf(new URL(`http://127.0.0.1:${port}/`), { agent }),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(connect).toHaveBeenCalledTimes(1);
  });
});

describe('watch streams over HTTP/2', () => {
  async function agentFor(emulator: KubernetesEmulator) {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(emulator.kubeconfig());
    const options: RequestOptions = {};
    await kubeConfig.applyToHTTPSOptions(options);
    return options;
  }

  const read = (stream: ClientHttp2Stream) =>
    new Promise<string>((resolve, reject) => {
      let body = '';
      stream.setEncoding('utf8');
      stream.on('data', (piece: string) => {
        body += piece;
      });
      stream.on('end', () => resolve(body));
      stream.on('error', reject);
    });

  it('sends every watch of a cluster as a stream of one connection, with the client headers', async () => {
    const emulator = await startKubernetesEmulator({ tls: true });
    const connections = new ClusterConnections();
    try {
      const options = await agentFor(emulator);
      const url = new URL(`${emulator.url}/api/v1/namespaces?watch=true`);
      const session = await connections.forStream(
        url,
        options.agent as HttpsAgent,
      );
      expect(session).toBeDefined();
      expect(
        await connections.forStream(url, options.agent as HttpsAgent),
      ).toBe(session);
      const { status, stream } = await openStream(session!, url, {
        // Connection-specific headers are HTTP/1.1's: left out.
        headers: { ...options.headers, Connection: 'keep-alive', Host: 'x' },
      });
      expect(status).toBe(200);
      await carriesNewNamespace(stream, emulator);
      const refused = await openStream(
        session!,
        new URL(`${emulator.url}/api/v1/pods`),
        {},
      );
      expect(refused.status).toBe(401);
      await read(refused.stream);
      expect(emulator.connections.opened).toBe(1);
    } finally {
      connections.close();
      await emulator.stop();
    }
  });

  it('asks a server without HTTP/2 once, then leaves watches to HTTP/1.1', async () => {
    const emulator = await startKubernetesEmulator({ tls: true, http2: false });
    const connections = new ClusterConnections();
    try {
      const options = await agentFor(emulator);
      const url = new URL(`${emulator.url}/api/v1/namespaces?watch=true`);
      const agent = options.agent as HttpsAgent;
      expect(await connections.forStream(url, agent)).toBeUndefined();
      expect(await connections.forStream(url, agent)).toBeUndefined();
      expect(emulator.connections.opened).toBe(1);
    } finally {
      connections.close();
      await emulator.stop();
    }
  });

  it('leaves a renewed connection open until its streams end, and opens a new one', async () => {
    const emulator = await startKubernetesEmulator({ tls: true });
    const connections = new ClusterConnections();
    try {
      const options = await agentFor(emulator);
      const url = new URL(`${emulator.url}/api/v1/namespaces?watch=true`);
      const agent = options.agent as HttpsAgent;
      const first = (await connections.forStream(url, agent))!;
      const { stream } = await openStream(first, url, {
        headers: options.headers,
      });
      // Renewed credentials: other TLS settings.
      const renewed = new HttpsAgent({
        ...agent.options,
        ciphers: 'TLS_AES_128_GCM_SHA256:ECDHE-RSA-AES128-GCM-SHA256',
      });
      const second = (await connections.forStream(url, renewed))!;
      expect(second).not.toBe(first);
      expect(first.closed).toBe(true);
      expect(first.destroyed).toBe(false);
      await carriesNewNamespace(stream, emulator);
      emulator.closeWatches();
      await waitFor(() => first.destroyed);
      expect(second.destroyed).toBe(false);
    } finally {
      connections.close();
      await emulator.stop();
    }
  });
});

/** Adds a Namespace and waits until the watch stream has carried it. */
async function carriesNewNamespace(
  stream: ClientHttp2Stream,
  emulator: KubernetesEmulator,
) {
  const events: string[] = [];
  stream.setEncoding('utf8');
  stream.on('data', (piece: string) => events.push(piece));
  emulator.apply({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'shop' },
  });
  await waitFor(() => events.join('').includes('"shop"'));
}

async function waitFor(check: () => boolean) {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise(resolve => setTimeout(resolve, 20));
  }
}
