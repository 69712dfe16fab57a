import { generateKeyPairSync } from 'node:crypto';
import { Agent as HttpAgent, createServer } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { AddressInfo } from 'node:net';
import { ClusterConnections, answerOf } from './ClusterConnections';

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
