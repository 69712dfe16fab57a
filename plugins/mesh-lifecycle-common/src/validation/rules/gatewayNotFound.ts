import { gatewayReferences } from '../gatewayRefs';
import { ValidationRule } from '../rule';

/**
 * A VirtualService bound (in `gateways`, or in an HTTP match) to a Gateway
 * that does not exist: its routes are served nowhere. Follows Kiali's
 * `virtualservices.nogateway` (KIA1102). `mesh` is not a Gateway; without
 * the Gateways in the snapshot nothing is judged.
 *
 * @internal
 */
export const gatewayNotFound: ValidationRule = {
  code: 'KIA1102',
  severity: 'error',
  title: 'VirtualService is pointing to a non-existent gateway',
  hint: 'Name an existing Gateway as <namespace>/<name>, or create the Gateway.',
  kialiCheck: 'virtualservices.nogateway',
  check: context => {
    const gateways = context.snapshot.gateways;
    if (!gateways) return [];
    const known = new Set(
      gateways.map(g => `${g.metadata?.namespace}/${g.metadata?.name}`),
    );
    return context.scope.virtualServices.flatMap(vs =>
      gatewayReferences(vs).flatMap(ref => {
        const name = `${ref.namespace}/${ref.name}`;
        if (known.has(name)) return [];
        return [
          {
            object: context.ref('VirtualService', vs),
            path: ref.path,
            message: `Gateway ${name} (written "${ref.value}") does not exist`,
            hint: `Correct gateway "${ref.value}" of VirtualService ${vs.metadata?.name} (<namespace>/<name> of an existing Gateway), or create Gateway ${name}.`,
          },
        ];
      }),
    );
  },
};
