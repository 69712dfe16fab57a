import { JsonObject, JsonValue } from '@backstage/types';
import { InputError } from '@backstage/errors';
import {
  WeightedDestination,
  checkWeights,
  describeDestination,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';

/** A VirtualService as read from the cluster: only what a shift needs is typed. */
export interface VirtualServiceObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    resourceVersion: string;
  } & JsonObject;
  spec: { http?: JsonValue[] } & JsonObject;
}

const isObject = (value: JsonValue | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function destinationsOf(route: JsonObject): JsonObject[] {
  const destinations = route.route;
  return Array.isArray(destinations) ? destinations.filter(isObject) : [];
}

function weightedDestination(
  destination: JsonObject,
  lone: boolean,
): WeightedDestination {
  const target = isObject(destination.destination)
    ? destination.destination
    : {};
  const host = typeof target.host === 'string' ? target.host : '';
  const subset = typeof target.subset === 'string' ? target.subset : undefined;
  let weight: number;
  if (typeof destination.weight === 'number') weight = destination.weight;
  else weight = lone ? 100 : 0; // Istio: a lone destination takes all.
  return { host, ...(subset !== undefined ? { subset } : {}), weight };
}

const key = (d: { host: string; subset?: string }) =>
  `${d.host}\u0000${d.subset ?? ''}`;

/**
 * The HTTP route of a VirtualService a shift moves: the one named `route`,
 * else the only one with several destinations, else the only one. Its
 * weights as Istio reads them (a lone destination without a weight takes
 * 100 %, others without one 0 %). An `InputError` says which routes there
 * are when the choice is not clear.
 */
export function selectRoute(
  virtualService: VirtualServiceObject,
  route?: string,
): { index: number; name?: string; weights: WeightedDestination[] } {
  const routes = (virtualService.spec.http ?? []).map(r =>
    isObject(r) ? r : {},
  );
  const label = `VirtualService ${virtualService.metadata.namespace}/${virtualService.metadata.name}`;
  const names = routes.map((r, i) =>
    typeof r.name === 'string' ? r.name : `#${i + 1} (unnamed)`,
  );
  let index: number;
  if (route !== undefined) {
    index = routes.findIndex(r => r.name === route);
    if (index < 0) {
      throw new InputError(
        `${label} has no HTTP route named ${JSON.stringify(
          route,
        )}; its routes: ${names.join(', ') || 'none'}`,
      );
    }
  } else {
    const split = routes
      .map((r, i) => ({ i, n: destinationsOf(r).length }))
      .filter(r => r.n > 1);
    if (split.length === 1) index = split[0].i;
    else if (routes.length === 1) index = 0;
    else {
      throw new InputError(
        routes.length === 0
          ? `${label} has no HTTP route to shift`
          : `${label} has several HTTP routes (${names.join(
              ', ',
            )}): name the one to shift`,
      );
    }
  }
  const destinations = destinationsOf(routes[index]);
  if (destinations.length === 0) {
    throw new InputError(`${label}, route ${names[index]}, has no destination`);
  }
  const weights = destinations.map(d =>
    weightedDestination(d, destinations.length === 1),
  );
  const name = routes[index].name;
  return {
    index,
    ...(typeof name === 'string' ? { name } : {}),
    weights,
  };
}

/**
 * The merge patch that sets one route's weights, and nothing else: the
 * route's destinations keep every other field and their order, a new host
 * (a migration) is added last. It carries the resourceVersion the weights
 * were read at, so the API server refuses it (409 Conflict) when someone
 * changed the VirtualService meanwhile.
 */
export function weightsPatch(
  virtualService: VirtualServiceObject,
  routeIndex: number,
  weights: WeightedDestination[],
): VirtualServiceObject {
  checkWeights(weights);
  const http = (virtualService.spec.http ?? []).map(r =>
    isObject(r) ? r : {},
  );
  const route = http[routeIndex];
  if (!route) {
    throw new InputError(`route #${routeIndex + 1} does not exist`);
  }
  const current = destinationsOf(route);
  const wanted = new Map(weights.map(w => [key(w), w]));
  const known = new Set<string>();
  const updated: JsonObject[] = current.map(d => {
    const own = weightedDestination(d, false);
    known.add(key(own));
    const target = wanted.get(key(own));
    if (!target) {
      throw new InputError(
        `the weights leave out ${describeDestination(
          own,
        )}, a destination of the route: give every destination a weight (0 to drain it)`,
      );
    }
    return { ...d, weight: target.weight };
  });
  for (const w of weights) {
    if (!known.has(key(w))) {
      updated.push({
        destination: {
          host: w.host,
          ...(w.subset !== undefined ? { subset: w.subset } : {}),
        },
        weight: w.weight,
      });
    }
  }
  return {
    apiVersion: virtualService.apiVersion,
    kind: virtualService.kind,
    metadata: {
      name: virtualService.metadata.name,
      namespace: virtualService.metadata.namespace,
      resourceVersion: virtualService.metadata.resourceVersion,
    },
    spec: {
      // A merge patch replaces arrays whole: every route, as read.
      http: http.map((r, i) =>
        i === routeIndex ? { ...r, route: updated } : r,
      ),
    },
  };
}
