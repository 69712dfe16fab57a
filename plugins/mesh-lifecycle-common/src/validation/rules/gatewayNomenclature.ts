import { gatewayReferences } from '../gatewayRefs';
import { ValidationRule } from '../rule';

/**
 * A VirtualService naming a gateway in the older
 * `<name>.<namespace>[.svc.<domain>]` form. Follows Kiali's
 * `virtualservices.gateway.oldnomenclature` (KIA1108), a notice (Kiali's
 * `unknown` severity, `info` here). A reference already written
 * `<namespace>/<name>` is not reported even if the name has a dot.
 *
 * @internal
 */
export const gatewayNomenclature: ValidationRule = {
  code: 'KIA1108',
  severity: 'info',
  title: 'Preferred nomenclature: <gateway namespace>/<gateway name>',
  hint: 'Write the gateway as <namespace>/<name>.',
  kialiCheck: 'virtualservices.gateway.oldnomenclature',
  check: context =>
    context.scope.virtualServices.flatMap(vs =>
      gatewayReferences(vs).flatMap(ref =>
        ref.dotted
          ? [
              {
                object: context.ref('VirtualService', vs),
                path: ref.path,
                message: `gateway "${ref.value}" is written in the older <name>.<namespace> form`,
                hint: `Write "${ref.namespace}/${ref.name}" instead of "${ref.value}".`,
              },
            ]
          : [],
      ),
    ),
};
