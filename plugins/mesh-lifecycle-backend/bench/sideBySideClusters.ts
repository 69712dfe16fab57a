/*
 * The emulated clusters of the side-by-side benchmark, in a process of their
 * own so that each backend's memory and CPU are its own: one Kubernetes API
 * emulator per cluster, over TLS, each call answered after 20 ms. Run by
 * sideBySide.ts only; `node … sideBySideClusters.ts <clusters> <objects>`.
 */
import {
  KubernetesEmulator,
  startKubernetesEmulator,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { connect } from 'node:tls';
import {
  API_LATENCY_MS,
  ClustersMessage,
  ClustersRequest,
} from './sideBySideProtocol';
import { sideBySideObjects } from './sideBySideObjects';

/** The certificate a TLS server presents, as base64 PEM (it is its own CA). */
function servedCertificate(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: hostname, port: Number(port), rejectUnauthorized: false },
      () => {
        const der = socket.getPeerCertificate().raw;
        socket.end();
        const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
        const pem = `-----BEGIN CERTIFICATE-----\n${lines.join(
          '\n',
        )}\n-----END CERTIFICATE-----\n`;
        resolve(Buffer.from(pem).toString('base64'));
      },
    );
    socket.once('error', reject);
  });
}

function send(message: ClustersMessage) {
  process.send?.(message);
}

const emulators: KubernetesEmulator[] = [];

async function stopAll(): Promise<never> {
  await Promise.allSettled(emulators.map(e => e.stop()));
  process.exit(0);
}

async function main() {
  process.once('disconnect', stopAll);
  const count = Number(process.argv[2]);
  const size = Number(process.argv[3]);
  const objects = sideBySideObjects(size);
  for (let i = 0; i < count; i++) {
    const emulator = await startKubernetesEmulator({
      name: `cluster-${i + 1}`,
      tls: true,
      objects,
    });
    emulator.faults.add({ path: /^/, latencyMs: API_LATENCY_MS });
    emulators.push(emulator);
  }
  process.on('message', async (request: ClustersRequest) => {
    if (request.type === 'calls') {
      send({
        type: 'calls',
        calls: emulators.reduce((sum, e) => sum + e.calls.count(), 0),
      });
    } else if (request.type === 'stop') {
      await stopAll();
    }
  });
  const caData = await servedCertificate(emulators[0].url);
  send({
    type: 'ready',
    objectsPerCluster: objects.length,
    clusters: emulators.map(e => ({
      name: e.name,
      url: e.url,
      token: e.token,
      caData,
    })),
  });
}

main().catch(async error => {
  send({ type: 'error', message: String(error?.stack ?? error) });
  await Promise.allSettled(emulators.map(e => e.stop()));
  process.exit(1);
});
