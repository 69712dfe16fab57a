import { KubernetesObject } from '@kubernetes/client-node';

function sameObject(a: KubernetesObject, b: KubernetesObject): boolean {
  return (
    (a.metadata?.namespace ?? '') === (b.metadata?.namespace ?? '') &&
    (a.metadata?.name ?? '') === (b.metadata?.name ?? '')
  );
}

/**
 * The objects of a watch cache grouped by the value of one label, kept up to
 * date from the cache's add, update and delete events: finding a service's
 * objects by their `backstage.io/kubernetes-id` costs its objects, not the
 * cluster's. A service has a few objects of a kind: each value's are an
 * array (a `Map` per value took ~370 bytes of hash table, per service and
 * kind). Nothing is kept per object besides its place in its value's array
 * (a map of each object's value by namespace/name took ~100 bytes per
 * object): an object whose label changes is moved by `replacing`, told the
 * version it replaces.
 */
export class LabelIndex {
  private readonly byValue = new Map<string, KubernetesObject[]>();

  constructor(readonly label: string) {}

  /**
   * Adds an object, or replaces the one of the same namespace and name
   * indexed under the same value. An object indexed under another value is
   * not found here: call `replacing` first.
   */
  put(object: KubernetesObject): void {
    const value = this.valueOf(object);
    if (value === undefined) return;
    const objects = this.byValue.get(value);
    if (!objects) {
      this.byValue.set(value, [object]);
      return;
    }
    const at = objects.findIndex(o => sameObject(o, object));
    if (at === -1) {
      objects.push(object);
    } else {
      objects[at] = object;
    }
  }

  /**
   * Before `next` replaces `previous` (the same namespace and name): drops
   * `previous` when it is indexed under another value than `next` will be.
   */
  replacing(
    previous: KubernetesObject | undefined,
    next: KubernetesObject,
  ): void {
    if (previous && this.valueOf(previous) !== this.valueOf(next)) {
      this.remove(previous);
    }
  }

  /** Removes the object of that namespace and name indexed under its value. */
  remove(object: KubernetesObject): void {
    const value = this.valueOf(object);
    if (value === undefined) return;
    const objects = this.byValue.get(value);
    if (!objects) return;
    const at = objects.findIndex(o => sameObject(o, object));
    if (at !== -1) objects.splice(at, 1);
    if (objects.length === 0) this.byValue.delete(value);
  }

  /** The objects labelled with that value, in one namespace or all. */
  get(value: string, namespace?: string): KubernetesObject[] {
    const objects = this.byValue.get(value) ?? [];
    return namespace === undefined
      ? [...objects]
      : objects.filter(o => (o.metadata?.namespace ?? '') === namespace);
  }

  private valueOf(object: KubernetesObject): string | undefined {
    return object.metadata?.labels?.[this.label];
  }
}
