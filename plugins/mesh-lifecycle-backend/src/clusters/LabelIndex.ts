import { KubernetesObject } from '@kubernetes/client-node';

function keyOf(object: KubernetesObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

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
 * kind).
 */
export class LabelIndex {
  private readonly byValue = new Map<string, KubernetesObject[]>();
  /** Each indexed object's label value, by namespace/name. */
  private readonly valueOf = new Map<string, string>();

  constructor(readonly label: string) {}

  /** Adds an object, or replaces the one of the same namespace and name. */
  put(object: KubernetesObject): void {
    const key = keyOf(object);
    this.drop(key, object);
    const value = object.metadata?.labels?.[this.label];
    if (value === undefined) return;
    this.valueOf.set(key, value);
    const objects = this.byValue.get(value);
    if (objects) {
      objects.push(object);
    } else {
      this.byValue.set(value, [object]);
    }
  }

  /** Removes the object of that namespace and name. */
  remove(object: KubernetesObject): void {
    this.drop(keyOf(object), object);
  }

  /** The objects labelled with that value, in one namespace or all. */
  get(value: string, namespace?: string): KubernetesObject[] {
    const objects = this.byValue.get(value) ?? [];
    return namespace === undefined
      ? [...objects]
      : objects.filter(o => (o.metadata?.namespace ?? '') === namespace);
  }

  private drop(key: string, object: KubernetesObject): void {
    const value = this.valueOf.get(key);
    if (value === undefined) return;
    this.valueOf.delete(key);
    const objects = this.byValue.get(value);
    if (!objects) return;
    const at = objects.findIndex(o => sameObject(o, object));
    if (at !== -1) objects.splice(at, 1);
    if (objects.length === 0) this.byValue.delete(value);
  }
}
