import { ValidationRule } from '../rule';
import { GatewayLike } from '../types';

/** One host of one server of a Gateway. */
interface ServedHost {
  gateway: GatewayLike;
  server: number;
  index: number;
  /** Lower case, without the namespace part. */
  host: string;
  /** `*` for every namespace, else the namespace the host is exported to. */
  target: string;
}

function servedHosts(gateway: GatewayLike): ServedHost[] {
  const own = gateway.metadata?.namespace ?? '';
  return (gateway.spec?.servers ?? []).flatMap((server, s) =>
    (server.hosts ?? []).map((written, index) => {
      const slash = written.indexOf('/');
      const target = slash >= 0 ? written.slice(0, slash) : '*';
      return {
        gateway,
        server: s,
        index,
        host: (slash >= 0 ? written.slice(slash + 1) : written).toLowerCase(),
        target: target === '.' ? own : target,
      };
    }),
  );
}

/**
 * Whether two hosts of Gateways on the same port and selector overlap, as
 * Kiali compares them: `*` overlaps everything; `*.<domain>` overlaps the
 * names ending in `.<domain>` but not another wildcard.
 */
function overlap(a: ServedHost, b: ServedHost): boolean {
  if (a.target !== b.target && a.target !== '*' && b.target !== '*') {
    return false;
  }
  if (a.host === '*' || b.host === '*' || a.host === b.host) return true;
  const aWild = a.host.startsWith('*.');
  const bWild = b.host.startsWith('*.');
  if (aWild && bWild) return false;
  if (aWild) return b.host.endsWith(a.host.slice(1));
  if (bWild) return a.host.endsWith(b.host.slice(1));
  return false;
}

/** The port and selector a server listens with: hosts only collide within one. */
function listener(gateway: GatewayLike, server: number): string {
  const port = gateway.spec?.servers?.[server]?.port?.number ?? 0;
  const selector = Object.entries(gateway.spec?.selector ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .sort()
    .join(',');
  return `${port}|${selector}`;
}

/**
 * Two Gateways (or two servers of one) exposing overlapping hosts on the
 * same port of the same gateway workloads: the proxy serves only one of
 * them. Follows Kiali's `gateways.multimatch` (KIA0301), including which
 * entries it marks: of two colliding hosts of one Gateway, the first.
 *
 * @internal
 */
export const gatewayHostConflict: ValidationRule = {
  code: 'KIA0301',
  severity: 'warning',
  title: 'More than one Gateway for the same host port combination',
  hint: 'Serve each host and port from one Gateway (merge the servers), or make the hosts distinct.',
  kialiCheck: 'gateways.multimatch',
  check: context => {
    const groups = new Map<string, ServedHost[]>();
    for (const gateway of context.snapshot.gateways ?? []) {
      for (const host of servedHosts(gateway)) {
        const key = listener(gateway, host.server);
        groups.set(key, [...(groups.get(key) ?? []), host]);
      }
    }
    const marked = new Map<ServedHost, Set<ServedHost>>();
    const mark = (host: ServedHost, other: ServedHost) => {
      const others = marked.get(host) ?? new Set<ServedHost>();
      others.add(other);
      marked.set(host, others);
    };
    for (const hosts of groups.values()) {
      hosts.forEach((host, i) => {
        for (const other of hosts.slice(i + 1)) {
          if (!overlap(host, other)) continue;
          mark(host, other);
          if (other.gateway !== host.gateway) mark(other, host);
        }
      });
    }
    const inScope = new Set(context.scope.gateways);
    return [...marked.entries()]
      .filter(([host]) => inScope.has(host.gateway))
      .map(([host, others]) => {
        const written =
          host.gateway.spec?.servers?.[host.server]?.hosts?.[host.index] ?? '';
        const port =
          host.gateway.spec?.servers?.[host.server]?.port?.number ?? 0;
        const names = [...others].map(
          o =>
            `${o.gateway.metadata?.namespace}/${o.gateway.metadata?.name} (${
              o.gateway.spec?.servers?.[o.server]?.hosts?.[o.index]
            })`,
        );
        return {
          object: context.ref('Gateway', host.gateway),
          path: `spec.servers[${host.server}].hosts[${host.index}]`,
          message: `host ${written} on port ${port} is also served by ${[
            ...new Set(names),
          ].join(', ')}`,
          hint: `Serve ${written} on port ${port} from one Gateway only, or make the hosts distinct.`,
        };
      });
  },
};
