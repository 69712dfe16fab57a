import { ValidationRule } from '../rule';
import { ValidationContext } from '../ValidationContext';

/** Protocols Istio selects from a port name prefix or an appProtocol. */
const PROTOCOLS = [
  'http',
  'http2',
  'https',
  'grpc',
  'grpc-web',
  'tcp',
  'tls',
  'mongo',
  'mysql',
  'redis',
  'udp',
];
const APP_PROTOCOLS = [
  ...PROTOCOLS,
  'kubernetes.io/h2c',
  'kubernetes.io/ws',
  'kubernetes.io/wss',
];

function namesProtocol(name: string): boolean {
  const lower = name.toLowerCase();
  return PROTOCOLS.some(p => lower === p || lower.startsWith(`${p}-`));
}

/** The ports Istio proxies: UDP and SCTP ports are not captured. */
function proxiedPorts(context: ValidationContext) {
  return context.scope.services.flatMap(service =>
    (service.spec?.ports ?? []).flatMap((port, index) =>
      port.protocol === undefined || port.protocol === 'TCP'
        ? [{ port, index, service }]
        : [],
    ),
  );
}

/**
 * A Service port whose name does not start with a protocol
 * (`<protocol>[-suffix]`) and that has no appProtocol: Istio falls back to
 * protocol sniffing, which delays detection, breaks server-first protocols
 * and may degrade to plain TCP. Follows Kiali's `port.name.mismatch`
 * (KIA0601).
 *
 * @internal
 */
export const servicePortName: ValidationRule = {
  code: 'KIA0601',
  severity: 'error',
  title: 'Port name must follow <protocol>[-suffix] form',
  hint: 'Name the port <protocol>[-suffix] (http, http-api, grpc, tcp, ...) or set its appProtocol.',
  kialiCheck: 'port.name.mismatch',
  check: context =>
    proxiedPorts(context).flatMap(({ port, index, service }) => {
      if (port.appProtocol !== undefined) return [];
      if (port.name !== undefined && namesProtocol(port.name)) return [];
      const shown = port.name === undefined ? 'no name' : `name "${port.name}"`;
      return [
        {
          object: context.ref('Service', service),
          path: `spec.ports[${index}].name`,
          message: `port ${
            port.port ?? ''
          } has ${shown}, so Istio cannot select its protocol`,
          hint: `Rename port ${
            port.port ?? ''
          } to http (or http-<suffix>, grpc, tcp, ... for its protocol), or set appProtocol.`,
        },
      ];
    }),
};

/**
 * A Service port whose appProtocol is not a protocol Istio knows. Follows
 * Kiali's `port.appprotocol.mismatch` (KIA0602).
 *
 * @internal
 */
export const servicePortAppProtocol: ValidationRule = {
  code: 'KIA0602',
  severity: 'error',
  title: 'Port appProtocol must follow <protocol> form',
  hint: 'Set appProtocol to a protocol Istio knows (http, http2, https, grpc, tcp, tls, ...).',
  kialiCheck: 'port.appprotocol.mismatch',
  check: context =>
    proxiedPorts(context).flatMap(({ port, index, service }) => {
      if (
        port.appProtocol === undefined ||
        APP_PROTOCOLS.includes(port.appProtocol.toLowerCase())
      ) {
        return [];
      }
      return [
        {
          object: context.ref('Service', service),
          path: `spec.ports[${index}].appProtocol`,
          message: `port ${port.port ?? ''} has appProtocol "${
            port.appProtocol
          }", which Istio does not know`,
          hint: `Set appProtocol of port ${
            port.port ?? ''
          } to its protocol (http, http2, grpc, tcp, ...).`,
        },
      ];
    }),
};
