/** How the side-by-side benchmark's processes talk (see sideBySide.ts). */
import { ChildProcess } from 'node:child_process';
import { LoggerService } from '@backstage/backend-plugin-api';

/** Latency of every API call, as between a backend and a cloud cluster. */
export const API_LATENCY_MS = 20;

/** The two backends compared. */
export type System = 'mesh-lifecycle' | 'kubernetes';

export interface EmulatedCluster {
  name: string;
  url: string;
  token: string;
  /** Base64 PEM of the emulator's certificate, trusted as the cluster's CA. */
  caData: string;
}

/**
 * The emulated clusters as the Kubernetes plugin's configuration
 * (`kubernetes`), which Mesh Lifecycle reads too; `perCluster` is added to
 * each cluster's entry.
 */
export function kubernetesClustersConfig(
  clusters: readonly EmulatedCluster[],
  perCluster: Record<string, unknown> = {},
) {
  return {
    serviceLocatorMethod: { type: 'multiTenant' },
    clusterLocatorMethods: [
      {
        type: 'config',
        clusters: clusters.map(c => ({
          name: c.name,
          url: c.url,
          authProvider: 'serviceAccount',
          serviceAccountToken: c.token,
          caData: c.caData,
          ...perCluster,
        })),
      },
    ],
  };
}

/** What the benchmark asks of the clusters process. */
export type ClustersRequest = { type: 'calls' } | { type: 'stop' };

/** What the clusters process tells the benchmark. */
export type ClustersMessage =
  | { type: 'ready'; clusters: EmulatedCluster[]; objectsPerCluster: number }
  | { type: 'calls'; calls: number }
  | { type: 'error'; message: string };

/** What the benchmark asks of a backend process. */
export type BackendRequest =
  | {
      type: 'start';
      system: System;
      clusters: EmulatedCluster[];
      /** Mesh Lifecycle only: `meshLifecycle.caches.warmOnStart`. */
      warmOnStart?: boolean;
    }
  | { type: 'memory' }
  | { type: 'stop' };

/** What a backend process tells the benchmark. */
export type BackendMessage =
  | { type: 'ready'; port: number; startMs: number }
  | {
      type: 'memory';
      /** Highest RSS sampled (every 20 ms) since the backend started. */
      peakRss: number;
      /** RSS after a garbage collection. */
      rss: number;
      heapUsed: number;
      /** RSS before the backend started (Node, transform, test harness). */
      rssBefore: number;
    }
  | { type: 'error'; message: string };

/**
 * The child process's next message of `type`; an `error` message or its exit
 * rejects.
 */
export function waitForMessage<T>(
  child: ChildProcess,
  type: string,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type: string }) => {
      if (message.type === type) {
        child.off('message', onMessage);
        resolve(message as T);
      } else if (message.type === 'error') {
        reject(new Error(JSON.stringify(message)));
      }
    };
    child.on('message', onMessage);
    child.once('exit', code => reject(new Error(`exited with ${code}`)));
  });
}

/** A logger that says nothing, for the benchmarks' own caches. */
export const quiet: LoggerService = {
  error() {},
  warn() {},
  info() {},
  debug() {},
  child: () => quiet,
};
