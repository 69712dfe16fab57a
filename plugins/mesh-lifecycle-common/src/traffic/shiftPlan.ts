import { InputError } from '@backstage/errors';

/**
 * A destination of a VirtualService route: a host, optionally one of its
 * subsets (DestinationRule), with the share of the route's requests it gets.
 *
 * @public
 */
export interface WeightedDestination {
  host: string;
  subset?: string;
  /** Whole percent, 0–100; a route's weights sum to 100. */
  weight: number;
}

/**
 * What a traffic shift should do, from the current weights of a route:
 *
 * - `weights`: go to these weights in one step (a destination left out gets
 *   0, and may not be new).
 * - `canary`: move to `to` in steps of its share (e.g. 10 → 25 → 50 → 100),
 *   the rest keeping their mutual proportions.
 * - `switch`: blue-green, all traffic to `to` at once.
 * - `migrate`: all traffic to another host (retirement), added to the route.
 *
 * @public
 */
export type ShiftRequest =
  | {
      kind: 'weights';
      /** A destination's host may be left out when the route has one. */
      weights: Array<Omit<WeightedDestination, 'host'> & { host?: string }>;
    }
  | { kind: 'canary'; to: { host?: string; subset: string }; steps: number[] }
  | { kind: 'switch'; to: { host?: string; subset?: string } }
  | { kind: 'migrate'; toHost: string; steps?: number[] };

/**
 * One step of a shift: the route's whole set of weights after it.
 *
 * @public
 */
export interface ShiftStep {
  /** 1-based. */
  index: number;
  weights: WeightedDestination[];
}

const key = (d: { host: string; subset?: string }) =>
  `${d.host}\u0000${d.subset ?? ''}`;

/**
 * A route destination as people read it: `reviews (v2)` or `reviews`.
 *
 * @public
 */
export function describeDestination(d: {
  host: string;
  subset?: string;
}): string {
  return d.subset ? `${d.host} (${d.subset})` : d.host;
}

/**
 * A route's weights as people read them: `reviews (v1) 90 % / reviews (v2) 10 %`.
 *
 * @public
 */
export function describeWeights(weights: WeightedDestination[]): string {
  return weights
    .map(w => `${describeDestination(w)} ${w.weight} %`)
    .join(' / ');
}

/**
 * Throws an `InputError` unless the weights are a route's: whole numbers from
 * 0 to 100 summing to 100, each destination once, at least one.
 *
 * @public
 */
export function checkWeights(weights: WeightedDestination[]): void {
  if (weights.length === 0) {
    throw new InputError('a route needs at least one destination');
  }
  const seen = new Set<string>();
  for (const w of weights) {
    if (!Number.isInteger(w.weight) || w.weight < 0 || w.weight > 100) {
      throw new InputError(
        `the weight of ${describeDestination(
          w,
        )} must be a whole number from 0 to 100, got ${String(w.weight)}`,
      );
    }
    if (seen.has(key(w))) {
      throw new InputError(`${describeDestination(w)} is listed twice`);
    }
    seen.add(key(w));
  }
  const sum = weights.reduce((total, w) => total + w.weight, 0);
  if (sum !== 100) {
    throw new InputError(
      `weights must sum to 100, these sum to ${sum}: ${describeWeights(
        weights,
      )}`,
    );
  }
}

/**
 * Distributes `share` percent over `others` in proportion to their current
 * weights (equally when they all have none), in whole numbers that sum to
 * `share` exactly (largest remainders first, then the order given).
 */
function distribute(
  others: WeightedDestination[],
  share: number,
): WeightedDestination[] {
  const total = others.reduce((sum, o) => sum + o.weight, 0);
  const exact = others.map(o =>
    total === 0 ? share / others.length : (share * o.weight) / total,
  );
  const floors = exact.map(Math.floor);
  let left = share - floors.reduce((sum, f) => sum + f, 0);
  const order = exact
    .map((e, i) => ({ i, remainder: e - floors[i] }))
    .sort((a, b) => b.remainder - a.remainder || a.i - b.i);
  for (const { i } of order) {
    if (left === 0) break;
    floors[i]++;
    left--;
  }
  return others.map((o, i) => ({ ...o, weight: floors[i] }));
}

function checkSteps(steps: number[]): void {
  if (steps.length === 0) {
    throw new InputError('a plan needs at least one step');
  }
  steps.forEach((step, i) => {
    if (!Number.isInteger(step) || step < 1 || step > 100) {
      throw new InputError(
        `step ${i + 1} must be a whole percent from 1 to 100, got ${String(
          step,
        )}`,
      );
    }
    if (i > 0 && step <= steps[i - 1]) {
      throw new InputError(
        `steps must grow: step ${i + 1} (${step} %) follows ${steps[i - 1]} %`,
      );
    }
  });
}

/** The route with `target` at `share` %, the rest shared as now. */
function withShare(
  current: WeightedDestination[],
  target: { host: string; subset?: string },
  share: number,
): WeightedDestination[] {
  const others = current.filter(d => key(d) !== key(target));
  if (others.length === 0 && share < 100) {
    throw new InputError(
      `${describeDestination(
        target,
      )} is the route's only destination: ${share} % would leave the other ${
        100 - share
      } % nowhere`,
    );
  }
  const rest = distribute(others, 100 - share);
  const own: WeightedDestination = {
    host: target.host,
    ...(target.subset !== undefined ? { subset: target.subset } : {}),
    weight: share,
  };
  // The route keeps its order; a new destination goes last.
  const inRoute = current.some(d => key(d) === key(target));
  return inRoute
    ? current.map(d =>
        key(d) === key(target) ? own : rest.find(r => key(r) === key(d))!,
      )
    : [...rest, own];
}

/**
 * The steps that take a route from its current weights to what `request`
 * asks: each step is the route's whole set of weights, checked (whole
 * numbers summing to 100). Destinations must be in the route already,
 * except the host a migration adds. A step that changes nothing is left
 * out; a request that changes nothing has no step. Bad input throws an
 * `InputError` that says what is wrong.
 *
 * @public
 */
export function planShift(
  current: WeightedDestination[],
  request: ShiftRequest,
): ShiftStep[] {
  checkWeights(current);
  const hosts = [...new Set(current.map(d => d.host))];
  const inRoute = (target: { host?: string; subset?: string }) => {
    if (target.host === undefined && hosts.length > 1) {
      throw new InputError(
        `the route has several hosts (${hosts.join(', ')}): name the host of ${
          target.subset ?? 'the destination'
        }`,
      );
    }
    const resolved = {
      host: target.host ?? hosts[0],
      ...(target.subset !== undefined ? { subset: target.subset } : {}),
    };
    if (!current.some(d => key(d) === key(resolved))) {
      throw new InputError(
        `${describeDestination(
          resolved,
        )} is not a destination of the route; it has ${current
          .map(describeDestination)
          .join(', ')}`,
      );
    }
    return resolved;
  };

  let steps: WeightedDestination[][];
  switch (request.kind) {
    case 'weights': {
      const weights = request.weights.map(w => ({
        ...inRoute(w),
        weight: w.weight,
      }));
      checkWeights(weights);
      const given = new Map(weights.map(w => [key(w), w.weight]));
      steps = [current.map(d => ({ ...d, weight: given.get(key(d)) ?? 0 }))];
      break;
    }
    case 'canary': {
      checkSteps(request.steps);
      const target = inRoute(request.to);
      steps = request.steps.map(share => withShare(current, target, share));
      break;
    }
    case 'switch': {
      const target = inRoute(request.to);
      steps = [withShare(current, target, 100)];
      break;
    }
    case 'migrate': {
      const stepsOf = request.steps ?? [100];
      checkSteps(stepsOf);
      if (stepsOf[stepsOf.length - 1] !== 100) {
        throw new InputError(
          'a migration ends with all traffic on the new host: its last step must be 100 %',
        );
      }
      if (!request.toHost) {
        throw new InputError('a migration needs the host to move traffic to');
      }
      const target = { host: request.toHost };
      steps = stepsOf.map(share => withShare(current, target, share));
      break;
    }
    default:
      throw new InputError('unknown kind of shift');
  }
  const sameWeights = (a: WeightedDestination[], b: WeightedDestination[]) =>
    a.length === b.length &&
    a.every(w => b.find(p => key(p) === key(w))?.weight === w.weight);
  const out: ShiftStep[] = [];
  steps.forEach((weights, i) => {
    checkWeights(weights);
    if (!sameWeights(weights, i === 0 ? current : steps[i - 1])) {
      out.push({ index: out.length + 1, weights });
    }
  });
  return out;
}
