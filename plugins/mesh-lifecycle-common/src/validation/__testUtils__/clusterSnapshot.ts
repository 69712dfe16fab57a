import { readFileSync, readdirSync } from 'fs';
import { join } from 'path';
import { parseAllDocuments } from 'yaml';
import { MeshConfigSnapshot } from '../types';

const KINDS: Record<string, keyof MeshConfigSnapshot> = {
  Namespace: 'namespaces',
  Service: 'services',
  Deployment: 'workloads',
  ServiceAccount: 'serviceAccounts',
  VirtualService: 'virtualServices',
  DestinationRule: 'destinationRules',
  ServiceEntry: 'serviceEntries',
  PeerAuthentication: 'peerAuthentications',
  AuthorizationPolicy: 'authorizationPolicies',
};

/** The snapshot of one of the demo's emulated clusters, from its manifests. */
export function clusterSnapshot(name: string): MeshConfigSnapshot {
  const folder = join(__dirname, '../../../../../examples/clusters', name);
  const snapshot: MeshConfigSnapshot = {
    namespaces: [],
    services: [],
    workloads: [],
    serviceAccounts: [],
    virtualServices: [],
    destinationRules: [],
    serviceEntries: [],
    peerAuthentications: [],
    authorizationPolicies: [],
  };
  for (const file of readdirSync(folder).filter(f => f.endsWith('.yaml'))) {
    for (const doc of parseAllDocuments(
      readFileSync(join(folder, file), 'utf8'),
    )) {
      const object = doc.toJS() as { kind?: string } | null;
      const list = object?.kind ? KINDS[object.kind] : undefined;
      if (object && list) {
        (snapshot[list] as object[]).push(object);
      }
    }
  }
  return snapshot;
}
