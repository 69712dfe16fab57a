import {
  qualifyHost,
  workloadVersion,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { KubernetesEmulator } from '../kubernetes/startKubernetesEmulator';
import { MeshModel } from './MeshModel';
import { TelemetryExporter } from './startTelemetryExporter';

type Json = { [key: string]: unknown };
const fields = (value: unknown): Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : {};
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/**
 * The model with each service's version weights as its VirtualServices
 * route them, as the sidecars would: for each service, the last catch-all
 * HTTP route (one without `match`) that sends its host to subsets decides; a subset is a version through its DestinationRule's `version`
 * label. Versions the route leaves out get 0; services no route splits keep
 * their weights, and so do those whose route names a subset no
 * DestinationRule gives a version (Envoy would answer that share with 503
 * "no route", which the model does not play) or whose route sends all of
 * it to other hosts (a migration: the model's edges say who calls whom).
 *
 * @public
 */
export function modelFollowingVirtualServices(
  model: MeshModel,
  objects: { virtualServices: object[]; destinationRules: object[] },
): MeshModel {
  const fqdn = (name: string, namespace: string) =>
    `${name}.${namespace}.svc.cluster.local`;
  // subset name → version label, per host.
  const subsetVersion = new Map<string, string>();
  for (const rule of objects.destinationRules.map(fields)) {
    const metadata = fields(rule.metadata);
    const spec = fields(rule.spec);
    if (typeof spec.host !== 'string') continue;
    const host = qualifyHost(spec.host, String(metadata.namespace ?? ''));
    for (const subset of list(spec.subsets).map(fields)) {
      const version = workloadVersion(
        fields(subset.labels) as Record<string, string>,
      );
      if (typeof subset.name === 'string' && typeof version === 'string') {
        subsetVersion.set(`${host}\u0000${subset.name}`, version);
      }
    }
  }
  // Per service host: the version weights of the last route that sets some.
  const routed = new Map<string, Map<string, number>>();
  for (const vs of objects.virtualServices.map(fields)) {
    const namespace = String(fields(vs.metadata).namespace ?? '');
    for (const route of list(fields(vs.spec).http).map(fields)) {
      // Only catch-all routes split what a service receives as a whole.
      if (list(route.match).length > 0) continue;
      const perHost = new Map<string, Map<string, number>>();
      // Hosts this route sends to a subset with no version: not followed.
      const unresolved = new Set<string>();
      const destinations = list(route.route).map(fields);
      for (const d of destinations) {
        const destination = fields(d.destination);
        if (typeof destination.host !== 'string') continue;
        if (typeof destination.subset !== 'string') continue;
        const host = qualifyHost(destination.host, namespace);
        const version = subsetVersion.get(`${host}\u0000${destination.subset}`);
        if (!version) {
          unresolved.add(host);
          continue;
        }
        let weight = 0;
        if (typeof d.weight === 'number') weight = d.weight;
        else if (destinations.length === 1) weight = 100;
        const weights = perHost.get(host) ?? new Map<string, number>();
        weights.set(version, (weights.get(version) ?? 0) + weight);
        perHost.set(host, weights);
      }
      for (const [host, weights] of perHost) {
        const total = [...weights.values()].reduce((a, b) => a + b, 0);
        // A route sending all to another host moves callers' traffic, which
        // the model says through its edges (and idleAfter), not versions.
        if (!unresolved.has(host) && total > 0) routed.set(host, weights);
      }
    }
  }
  return {
    ...model,
    services: model.services.map(service => {
      const weights = routed.get(fqdn(service.name, service.namespace));
      if (!weights) return service;
      return {
        ...service,
        versions: service.versions.map(v => ({
          ...v,
          weight: weights.get(v.version) ?? 0,
        })),
      };
    }),
  };
}

/**
 * Keeps an exporter's telemetry following the VirtualServices of an
 * emulated cluster, as sidecars follow Istio's configuration: every
 * `intervalMs` (default 500) it reads the VirtualServices and
 * DestinationRules and, when the routed weights changed, switches the
 * exporter to the model they give (counters go on from their values).
 *
 * @public
 */
export function followVirtualServices(options: {
  emulator: KubernetesEmulator;
  exporter: TelemetryExporter;
  model: MeshModel;
  /** networking.istio.io version to read (default `v1`). */
  apiVersion?: string;
  intervalMs?: number;
}): { current(): MeshModel; refresh(): MeshModel; stop(): void } {
  const apiVersion = `networking.istio.io/${options.apiVersion ?? 'v1'}`;
  let current = options.model;
  let signature = '';
  const refresh = () => {
    const next = modelFollowingVirtualServices(options.model, {
      virtualServices: options.emulator.list(apiVersion, 'VirtualService'),
      destinationRules: options.emulator.list(apiVersion, 'DestinationRule'),
    });
    const nextSignature = JSON.stringify(
      next.services.map(s => s.versions.map(v => v.weight)),
    );
    if (nextSignature !== signature) {
      signature = nextSignature;
      current = next;
      options.exporter.setModel(next);
    }
    return current;
  };
  refresh();
  const timer = setInterval(refresh, options.intervalMs ?? 500);
  timer.unref();
  return {
    current: () => current,
    refresh,
    stop: () => clearInterval(timer),
  };
}
