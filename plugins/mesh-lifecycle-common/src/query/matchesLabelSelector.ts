import { LabelSelector } from './buildLabelSelector';

/**
 * Whether an object's labels satisfy a structured label selector, with the
 * Kubernetes semantics: every `matchLabels` entry and every requirement must
 * hold; `NotIn` and `DoesNotExist` hold for an object without the label. A
 * selector without requirements matches nothing here, since a service
 * declared by an empty selector would otherwise claim every object.
 *
 * @public
 */
export function matchesLabelSelector(
  selector: LabelSelector,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const own = labels ?? {};
  const matchLabels = Object.entries(selector.matchLabels ?? {});
  const expressions = selector.matchExpressions ?? [];
  if (matchLabels.length === 0 && expressions.length === 0) {
    return false;
  }
  const has = (key: string) => Object.prototype.hasOwnProperty.call(own, key);
  return (
    matchLabels.every(([key, value]) => has(key) && own[key] === value) &&
    expressions.every(({ key, operator, values = [] }) => {
      switch (operator) {
        case 'In':
          return has(key) && values.includes(own[key]);
        case 'NotIn':
          return !has(key) || !values.includes(own[key]);
        case 'Exists':
          return has(key);
        case 'DoesNotExist':
          return !has(key);
        default:
          return false;
      }
    })
  );
}
