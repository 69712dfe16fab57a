/**
 * One line of an object's summary: what a field says, in words.
 *
 * @public
 */
export interface MeshObjectSummaryLine {
  label: string;
  value: string;
  /** JSON path of the field, as in validation findings (`spec.http[0].timeout`). */
  path: string;
}

/**
 * A part of an object's summary: its hosts, one route, one subset, one rule.
 *
 * @public
 */
export interface MeshObjectSummarySection {
  title: string;
  /** JSON path of the part, e.g. `spec.http[0]`; findings under it belong to it. */
  path: string;
  lines: MeshObjectSummaryLine[];
}

type Fields = { [key: string]: unknown };

const isFields = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const fields = (value: unknown): Fields => (isFields(value) ? value : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const text = (value: unknown): string | undefined =>
  typeof value === 'string' ||
  typeof value === 'number' ||
  typeof value === 'boolean'
    ? String(value)
    : undefined;
const texts = (value: unknown): string[] =>
  list(value).flatMap(v => {
    const t = text(v);
    return t === undefined ? [] : [t];
  });
const labels = (value: unknown): string =>
  Object.entries(fields(value))
    .map(([k, v]) => `${k}=${text(v) ?? ''}`)
    .join(', ');

/** A value no known label fits, written compactly. */
function anyValue(value: unknown): string {
  const t = text(value);
  if (t !== undefined) return t;
  if (Array.isArray(value)) return value.map(anyValue).join(', ');
  if (isFields(value)) {
    return Object.entries(value)
      .map(([k, v]) => `${k} ${anyValue(v)}`)
      .join(', ');
  }
  return '';
}

/**
 * The fields of a settings object as `label value` pairs, in the object's
 * order: known fields with their words, others under their own name.
 */
function settings(value: unknown, words: Record<string, string>): string {
  return Object.entries(fields(value))
    .map(([key, v]) => `${words[key] ?? key} ${anyValue(v)}`)
    .join(' · ');
}

function line(
  lines: MeshObjectSummaryLine[],
  label: string,
  value: string | undefined,
  path: string,
) {
  if (value !== undefined && value !== '') lines.push({ label, value, path });
}

/** `match` conditions of a route, e.g. `uri prefix /api, header x-canary exact "1"`. */
function matchConditions(match: unknown): string {
  return list(match)
    .map(m =>
      Object.entries(fields(m))
        .flatMap(([key, condition]) => {
          if (key === 'name') return [];
          if (key === 'headers' || key === 'queryParams') {
            return Object.entries(fields(condition)).map(
              ([name, how]) =>
                `${key === 'headers' ? 'header' : 'query'} ${name} ${anyValue(
                  how,
                )}`,
            );
          }
          return [`${key} ${anyValue(condition)}`];
        })
        .join(' and '),
    )
    .filter(m => m !== '')
    .join('; or ');
}

function destinations(route: unknown): string {
  const targets = list(route);
  return targets
    .map(t => {
      const target = fields(t);
      const destination = fields(target.destination);
      const port = text(fields(destination.port).number);
      const name = `${text(destination.host) ?? '(no host)'}${
        port ? `:${port}` : ''
      }${
        destination.subset !== undefined ? ` (${text(destination.subset)})` : ''
      }`;
      const weight = text(target.weight);
      if (weight !== undefined) return `${name} ${weight} %`;
      // A single destination without a weight takes all traffic.
      return targets.length === 1 ? `${name} 100 %` : `${name} (no weight)`;
    })
    .join(', ');
}

function virtualService(spec: Fields): MeshObjectSummarySection[] {
  const head: MeshObjectSummaryLine[] = [];
  line(head, 'Hosts', texts(spec.hosts).join(', '), 'spec.hosts');
  line(
    head,
    'Gateways',
    spec.gateways === undefined
      ? 'mesh (the sidecars)'
      : texts(spec.gateways).join(', '),
    'spec.gateways',
  );
  line(head, 'Exported to', texts(spec.exportTo).join(', '), 'spec.exportTo');
  const sections: MeshObjectSummarySection[] = [
    { title: 'Hosts', path: 'spec.hosts', lines: head },
  ];
  list(spec.http).forEach((r, i) => {
    const route = fields(r);
    const path = `spec.http[${i}]`;
    const lines: MeshObjectSummaryLine[] = [];
    line(lines, 'Match', matchConditions(route.match), `${path}.match`);
    line(lines, 'Destinations', destinations(route.route), `${path}.route`);
    if (route.redirect !== undefined) {
      line(lines, 'Redirect', anyValue(route.redirect), `${path}.redirect`);
    }
    line(lines, 'Rewrite', anyValue(route.rewrite), `${path}.rewrite`);
    line(
      lines,
      'Timeout',
      text(route.timeout) ?? 'none set (Istio: no timeout)',
      `${path}.timeout`,
    );
    const retries = fields(route.retries);
    line(
      lines,
      'Retries',
      route.retries === undefined
        ? 'none set (Istio: 2 attempts)'
        : [
            retries.attempts !== undefined
              ? `${text(retries.attempts)} attempts`
              : undefined,
            retries.perTryTimeout !== undefined
              ? `${text(retries.perTryTimeout)} per try`
              : undefined,
            retries.retryOn !== undefined
              ? `on ${text(retries.retryOn)}`
              : undefined,
          ]
            .filter(p => p !== undefined)
            .join(', '),
      `${path}.retries`,
    );
    line(lines, 'Fault injection', anyValue(route.fault), `${path}.fault`);
    line(
      lines,
      'Mirror',
      route.mirror !== undefined
        ? `${text(fields(route.mirror).host) ?? ''}${
            route.mirrorPercentage !== undefined
              ? ` (${text(fields(route.mirrorPercentage).value)} %)`
              : ''
          }`
        : undefined,
      `${path}.mirror`,
    );
    sections.push({
      title: `HTTP route ${text(route.name) ?? i + 1}`,
      path,
      lines,
    });
  });
  for (const protocol of ['tcp', 'tls'] as const) {
    list(spec[protocol]).forEach((r, i) => {
      const route = fields(r);
      const path = `spec.${protocol}[${i}]`;
      const lines: MeshObjectSummaryLine[] = [];
      line(lines, 'Match', matchConditions(route.match), `${path}.match`);
      line(lines, 'Destinations', destinations(route.route), `${path}.route`);
      sections.push({
        title: `${protocol.toUpperCase()} route ${i + 1}`,
        path,
        lines,
      });
    });
  }
  return sections;
}

const POOL_WORDS: Record<string, string> = {
  maxConnections: 'max connections',
  connectTimeout: 'connect timeout',
  tcpKeepalive: 'keepalive',
  http1MaxPendingRequests: 'max pending requests',
  http2MaxRequests: 'max requests',
  maxRequestsPerConnection: 'max requests per connection',
  maxRetries: 'max retries',
  idleTimeout: 'idle timeout',
  h2UpgradePolicy: 'HTTP/2 upgrade',
  maxConcurrentStreams: 'max concurrent streams',
};

const OUTLIER_WORDS: Record<string, string> = {
  consecutive5xxErrors: 'eject after consecutive 5xx',
  consecutiveGatewayErrors: 'eject after consecutive gateway errors',
  consecutiveLocalOriginFailures: 'eject after consecutive local failures',
  splitExternalLocalOriginErrors: 'split local errors',
  interval: 'every',
  baseEjectionTime: 'base ejection',
  maxEjectionPercent: 'max ejected %',
  minHealthPercent: 'min healthy %',
};

function trafficPolicy(policy: unknown, path: string): MeshObjectSummaryLine[] {
  const p = fields(policy);
  const lines: MeshObjectSummaryLine[] = [];
  const pool = fields(p.connectionPool);
  line(
    lines,
    'TCP connection pool',
    settings(pool.tcp, POOL_WORDS),
    `${path}.connectionPool.tcp`,
  );
  line(
    lines,
    'HTTP connection pool',
    settings(pool.http, POOL_WORDS),
    `${path}.connectionPool.http`,
  );
  line(
    lines,
    'Outlier detection',
    settings(p.outlierDetection, OUTLIER_WORDS),
    `${path}.outlierDetection`,
  );
  line(
    lines,
    'Load balancer',
    anyValue(p.loadBalancer),
    `${path}.loadBalancer`,
  );
  line(lines, 'Client TLS', text(fields(p.tls).mode), `${path}.tls.mode`);
  list(p.portLevelSettings).forEach((s, i) => {
    const settingsOfPort = fields(s);
    const { port, ...rest } = settingsOfPort;
    line(
      lines,
      `Port ${text(fields(port).number) ?? i + 1}`,
      anyValue(rest),
      `${path}.portLevelSettings[${i}]`,
    );
  });
  return lines;
}

function destinationRule(spec: Fields): MeshObjectSummarySection[] {
  const head: MeshObjectSummaryLine[] = [];
  line(head, 'Host', text(spec.host), 'spec.host');
  line(head, 'Exported to', texts(spec.exportTo).join(', '), 'spec.exportTo');
  const sections: MeshObjectSummarySection[] = [
    { title: 'Host', path: 'spec.host', lines: head },
  ];
  const policy = trafficPolicy(spec.trafficPolicy, 'spec.trafficPolicy');
  sections.push({
    title: 'Traffic policy',
    path: 'spec.trafficPolicy',
    lines: policy.length
      ? policy
      : [
          {
            label: 'Settings',
            value:
              'none (Istio defaults: no connection limits, no outlier detection)',
            path: 'spec.trafficPolicy',
          },
        ],
  });
  list(spec.subsets).forEach((s, i) => {
    const subset = fields(s);
    const path = `spec.subsets[${i}]`;
    const lines: MeshObjectSummaryLine[] = [];
    line(
      lines,
      'Pods labelled',
      labels(subset.labels) || '(none)',
      `${path}.labels`,
    );
    lines.push(...trafficPolicy(subset.trafficPolicy, `${path}.trafficPolicy`));
    sections.push({
      title: `Subset ${text(subset.name) ?? i + 1}`,
      path,
      lines,
    });
  });
  return sections;
}

function appliesTo(spec: Fields, namespace: string | undefined): string {
  const selector = labels(fields(spec.selector).matchLabels);
  if (selector) return `workloads labelled ${selector}`;
  const targets = list(spec.targetRefs)
    .map(t => `${text(fields(t).kind) ?? ''} ${text(fields(t).name) ?? ''}`)
    .join(', ');
  if (targets) return targets;
  return `every workload of namespace ${
    namespace ?? '(unknown)'
  } (or the mesh, in Istio's root namespace)`;
}

function peerAuthentication(
  spec: Fields,
  namespace: string | undefined,
): MeshObjectSummarySection[] {
  const lines: MeshObjectSummaryLine[] = [];
  line(lines, 'Applies to', appliesTo(spec, namespace), 'spec.selector');
  line(
    lines,
    'Mode',
    text(fields(spec.mtls).mode) ?? 'UNSET (inherits from namespace or mesh)',
    'spec.mtls.mode',
  );
  for (const [port, how] of Object.entries(fields(spec.portLevelMtls))) {
    line(
      lines,
      `Port ${port}`,
      text(fields(how).mode),
      `spec.portLevelMtls.${port}`,
    );
  }
  return [{ title: 'Mutual TLS', path: 'spec', lines }];
}

function ruleParts(parts: unknown, inner: 'source' | 'operation'): string {
  return list(parts)
    .map(part =>
      Object.entries(fields(fields(part)[inner]))
        .map(([key, values]) => `${key} ${texts(values).join(', ')}`)
        .join(' and '),
    )
    .filter(p => p !== '')
    .join('; or ');
}

function authorizationPolicy(
  spec: Fields,
  namespace: string | undefined,
): MeshObjectSummarySection[] {
  const action = text(spec.action) ?? 'ALLOW';
  const head: MeshObjectSummaryLine[] = [];
  line(head, 'Applies to', appliesTo(spec, namespace), 'spec.selector');
  line(head, 'Action', action, 'spec.action');
  const rules = list(spec.rules);
  if (rules.length === 0) {
    line(
      head,
      'Rules',
      action === 'ALLOW'
        ? 'none: it allows nothing, every request is denied'
        : 'none: it matches nothing',
      'spec.rules',
    );
  }
  const sections: MeshObjectSummarySection[] = [
    { title: 'Policy', path: 'spec', lines: head },
  ];
  rules.forEach((r, i) => {
    const rule = fields(r);
    const path = `spec.rules[${i}]`;
    const lines: MeshObjectSummaryLine[] = [];
    line(lines, 'From', ruleParts(rule.from, 'source'), `${path}.from`);
    line(lines, 'To', ruleParts(rule.to, 'operation'), `${path}.to`);
    line(
      lines,
      'When',
      list(rule.when)
        .map(w => {
          const condition = fields(w);
          const values = texts(condition.values);
          const not = texts(condition.notValues);
          return `${text(condition.key) ?? ''}${
            values.length ? ` in ${values.join(', ')}` : ''
          }${not.length ? ` not in ${not.join(', ')}` : ''}`;
        })
        .join(' and '),
      `${path}.when`,
    );
    if (lines.length === 0) {
      line(lines, 'Matches', 'every request', path);
    }
    sections.push({ title: `Rule ${i + 1}`, path, lines });
  });
  return sections;
}

/**
 * An Istio object in words: for a VirtualService its hosts and each route
 * (match, destinations with their weights, timeout, retries, faults), for a
 * DestinationRule its host, traffic policy (connection pool, outlier
 * detection, TLS) and subsets, for a PeerAuthentication its mutual TLS mode
 * and what it applies to, for an AuthorizationPolicy its action and rules.
 * Istio's defaults are said where a field is left out. Any other kind gets
 * its spec's fields as they are. Reads the object defensively: a field of
 * the wrong shape is left out, never thrown on.
 *
 * @public
 */
export function summarizeMeshObject(
  kind: string,
  manifest: unknown,
): MeshObjectSummarySection[] {
  const object = fields(manifest);
  const spec = fields(object.spec);
  const namespace = text(fields(object.metadata).namespace);
  switch (kind) {
    case 'VirtualService':
      return virtualService(spec);
    case 'DestinationRule':
      return destinationRule(spec);
    case 'PeerAuthentication':
      return peerAuthentication(spec, namespace);
    case 'AuthorizationPolicy':
      return authorizationPolicy(spec, namespace);
    default:
      return [
        {
          title: 'Spec',
          path: 'spec',
          lines: Object.entries(spec).map(([key, value]) => ({
            label: key,
            value: anyValue(value),
            path: `spec.${key}`,
          })),
        },
      ];
  }
}
