import {
  EntityInfoCard,
  EntityRefLink,
  useEntity,
} from '@backstage/plugin-catalog-react';
import {
  Alert,
  Flex,
  Grid,
  Skeleton,
  Text,
  ToggleButton,
  ToggleButtonGroup,
} from '@backstage/ui';
import {
  DependenciesResponse,
  MeshResponse,
  SourceOutcome,
  TrafficResponse,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { ReactNode, Suspense, lazy, useState } from 'react';
import { formatMs, formatRate } from '../FleetPage/fleetRows';
import {
  AnswerBody,
  RefreshButton,
  useEntityAnswer,
} from '../common/EntityAnswerCard';
import { SourcesAlert, unansweredSources } from '../common/SourcesAlert';
import { MeshObjects } from './MeshObjects';
import { PeerGraph, edgeFigures, unobservedIsConclusive } from './PeerGraph';
import { ChartLine } from './SignalChart';
import { TrafficShifts } from './TrafficShifts';

const SignalChart = lazy(() => import('./SignalChart'));

/** The ranges the signals can be shown over, with a step of ~60 points. */
export const RANGES = [
  { id: '15m', label: '15 min', seconds: 900, step: 15 },
  { id: '1h', label: '1 h', seconds: 3600, step: 60 },
  { id: '6h', label: '6 h', seconds: 21_600, step: 360 },
  { id: '24h', label: '24 h', seconds: 86_400, step: 1440 },
  { id: '7d', label: '7 days', seconds: 604_800, step: 10_080 },
];

const percent = (v: number) => `${(v * 100).toFixed(2)} %`;
const ms = (v: number) => `${Math.round(v)} ms`;
const rps = (v: number) => `${v.toFixed(v < 10 ? 2 : 1)} req/s`;

/** Sources that did not answer, as one warning; nothing when all did. */
function Unanswered(props: {
  outcomes: Array<SourceOutcome<object>>;
  what: string;
}) {
  const failed = unansweredSources(props.outcomes);
  const none = failed.length === props.outcomes.length;
  return (
    <SourcesAlert
      title={
        none
          ? `No source answered: ${props.what} cannot be shown`
          : `Some sources did not answer: ${props.what} shows the rest`
      }
      lines={failed}
    />
  );
}

function Section(props: {
  title: string;
  loading: boolean;
  error?: Error;
  actions?: ReactNode;
  children?: ReactNode;
}) {
  return (
    <EntityInfoCard
      className="mesh-lifecycle"
      title={props.title}
      headerActions={props.actions}
    >
      <AnswerBody
        value={props.loading ? undefined : true}
        loading={props.loading}
        error={props.error}
      >
        {() => props.children}
      </AnswerBody>
    </EntityInfoCard>
  );
}

function Figure(props: { label: string; value: string }) {
  return (
    <Flex direction="column" gap="1">
      <Text variant="body-small" color="secondary">
        {props.label}
      </Text>
      <Text variant="title-small" weight="bold">
        {props.value}
      </Text>
    </Flex>
  );
}

function Chart(props: {
  title: string;
  lines: ChartLine[];
  format: (v: number) => string;
}) {
  const empty = props.lines.every(l => l.points.every(p => p.v === null));
  return (
    <figure style={{ margin: 0 }} aria-label={props.title}>
      <Text as="h4" variant="body-medium" weight="bold">
        {props.title}
      </Text>
      {empty ? (
        <Text variant="body-small" color="secondary">
          no data over this range
        </Text>
      ) : (
        <Suspense fallback={<Skeleton height={180} />}>
          <SignalChart lines={props.lines} format={props.format} />
        </Suspense>
      )}
    </figure>
  );
}

/** Golden signals of one Prometheus over the chosen range. */
function Signals(props: {
  source: Extract<TrafficResponse['sources'][number], { status: 'ok' }>;
}) {
  const { figures, series } = props.source;
  const traffic = figures.requestsPerSecond;
  const ratio = (v: number | null) =>
    traffic && v !== null ? percent(v) : '—';
  return (
    <Flex direction="column" gap="4">
      <Text variant="body-small" color="secondary">
        {props.source.source}
        {props.source.istioCluster
          ? `, Istio cluster ${props.source.istioCluster}`
          : ''}
      </Text>
      {props.source.warnings?.map(w => (
        <Alert key={w} status="warning" icon title={w} />
      ))}
      <Flex gap="6" style={{ flexWrap: 'wrap' }}>
        <Figure label="Requests (last 5 min)" value={formatRate(traffic)} />
        <Figure label="Success" value={ratio(figures.successRatio)} />
        <Figure label="4xx" value={ratio(figures.ratio4xx)} />
        <Figure label="5xx" value={ratio(figures.ratio5xx)} />
        <Figure label="p50" value={formatMs(figures.latencyMs.p50, traffic)} />
        <Figure label="p95" value={formatMs(figures.latencyMs.p95, traffic)} />
        <Figure label="p99" value={formatMs(figures.latencyMs.p99, traffic)} />
        <Figure label="mTLS" value={ratio(figures.mtlsShare)} />
      </Flex>
      {series && (
        <Grid.Root columns={{ initial: '1', md: '2' }} gap="4">
          <Chart
            title="Request rate"
            format={rps}
            lines={
              series.versions.length > 1
                ? series.versions.map(v => ({
                    name: v.version,
                    points: v.requestsPerSecond,
                  }))
                : [{ name: 'requests', points: series.requestsPerSecond }]
            }
          />
          <Chart
            title="Success ratio"
            format={percent}
            lines={[{ name: 'success', points: series.successRatio }]}
          />
          <Chart
            title="Error ratios"
            format={percent}
            lines={[
              { name: '4xx', points: series.ratio4xx },
              { name: '5xx', points: series.ratio5xx },
            ]}
          />
          <Chart
            title="Latency"
            format={ms}
            lines={[
              { name: 'p50', points: series.latencyMs.p50 },
              { name: 'p95', points: series.latencyMs.p95 },
              { name: 'p99', points: series.latencyMs.p99 },
            ]}
          />
        </Grid.Root>
      )}
    </Flex>
  );
}

function SignalsSection() {
  const [range, setRange] = useState(RANGES[1]);
  const { value, loading, error, retry } = useEntityAnswer(
    (api, ref) =>
      api.getTraffic(ref, {
        windowSeconds: 300,
        rangeSeconds: range.seconds,
        stepSeconds: range.step,
      }),
    [range.id],
  );
  const answered = (value?.sources ?? []).flatMap(s =>
    s.status === 'ok' ? [s] : [],
  );
  return (
    <Section
      title="Golden signals"
      loading={loading && !value}
      error={error}
      actions={
        <Flex gap="2" align="center">
          <ToggleButtonGroup
            aria-label="Range"
            selectionMode="single"
            disallowEmptySelection
            selectedKeys={[range.id]}
            onSelectionChange={keys => {
              const [key] = [...keys];
              setRange(RANGES.find(r => r.id === key) ?? RANGES[1]);
            }}
          >
            {RANGES.map(r => (
              <ToggleButton key={r.id} id={r.id}>
                {r.label}
              </ToggleButton>
            ))}
          </ToggleButtonGroup>
          <RefreshButton loading={loading} onPress={retry} />
        </Flex>
      }
    >
      {value && (
        <Flex direction="column" gap="4">
          <Unanswered outcomes={value.sources} what="the signals" />
          {value.sources.length === 0 && (
            <Alert
              status="info"
              icon
              title="No Prometheus watches this service's clusters"
              description="Configure meshLifecycle.prometheus (or a cluster's prometheus) to see its signals."
            />
          )}
          {answered.map(source => (
            <Signals key={source.source} source={source} />
          ))}
        </Flex>
      )}
    </Section>
  );
}

/** Configured weights per route beside the observed share per version. */
function SplitAndMtls(props: {
  mesh: MeshResponse;
  traffic?: TrafficResponse;
}) {
  const observed = new Map<string, number>();
  for (const source of props.traffic?.sources ?? []) {
    if (source.status !== 'ok') continue;
    for (const v of source.figures.versions) {
      observed.set(v.version, v.share);
    }
  }
  const mtlsShares = (props.traffic?.sources ?? []).flatMap(s =>
    s.status === 'ok' && s.figures.requestsPerSecond
      ? [s.figures.mtlsShare]
      : [],
  );
  return (
    <Flex direction="column" gap="3">
      {props.mesh.clusters.map(cluster =>
        cluster.status !== 'ok' ? null : (
          <Flex key={cluster.cluster} direction="column" gap="2">
            <Text variant="body-medium" weight="bold">
              Cluster {cluster.cluster}
            </Text>
            <Text variant="body-small">
              mTLS in force: <strong>{cluster.mtls.mode}</strong>
              {cluster.mtls.policy
                ? ` (${cluster.mtls.policy.kind} ${cluster.mtls.policy.namespace}/${cluster.mtls.policy.name}, ${cluster.mtls.policy.scope})`
                : ' (no PeerAuthentication: the mesh default)'}
              {mtlsShares.length > 0 &&
                mtlsShares[0] !== null &&
                `; observed over mTLS: ${percent(mtlsShares[0])}`}
            </Text>
            {cluster.trafficSplit.length === 0 ? (
              <Text variant="body-small" color="secondary">
                No VirtualService splits its traffic.
              </Text>
            ) : (
              cluster.trafficSplit.map(route => (
                <table
                  key={`${route.virtualService}/${route.route}`}
                  aria-label={`Split of ${route.virtualService}`}
                  style={{ borderCollapse: 'collapse' }}
                >
                  <caption style={{ textAlign: 'left' }}>
                    <Text variant="body-small">
                      VirtualService {route.namespace}/{route.virtualService},
                      route {route.route ?? '(unnamed)'}
                    </Text>
                  </caption>
                  <thead>
                    <tr>
                      <th style={{ textAlign: 'left', paddingRight: 16 }}>
                        Destination
                      </th>
                      <th style={{ textAlign: 'right', paddingRight: 16 }}>
                        Configured
                      </th>
                      <th style={{ textAlign: 'right' }}>
                        Observed (last 5 min)
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {route.destinations.map(d => {
                      const share =
                        d.version !== undefined
                          ? observed.get(d.version)
                          : undefined;
                      return (
                        <tr key={`${d.host}/${d.subset ?? ''}`}>
                          <td style={{ paddingRight: 16 }}>
                            {d.subset ?? d.host}
                          </td>
                          <td style={{ textAlign: 'right', paddingRight: 16 }}>
                            {d.weight} %
                          </td>
                          <td style={{ textAlign: 'right' }}>
                            {share === undefined
                              ? 'no data'
                              : `${(share * 100).toFixed(1)} %`}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              ))
            )}
          </Flex>
        ),
      )}
    </Flex>
  );
}

function Workloads(props: { mesh: MeshResponse }) {
  return (
    <Flex direction="column" gap="3">
      {props.mesh.clusters.map(cluster =>
        cluster.status !== 'ok' ? null : (
          <table
            key={cluster.cluster}
            aria-label={`Pods on ${cluster.cluster}`}
            style={{ borderCollapse: 'collapse', width: '100%' }}
          >
            <caption style={{ textAlign: 'left' }}>
              <Text variant="body-medium" weight="bold">
                Cluster {cluster.cluster}:{' '}
                {cluster.workloads
                  .map(
                    w =>
                      `${w.name} ${w.readyReplicas}/${w.replicas} ready${
                        w.version ? ` (${w.version})` : ''
                      }`,
                  )
                  .join(', ') || 'no workload'}
              </Text>
            </caption>
            <thead>
              <tr>
                {[
                  'Pod',
                  'Version',
                  'Phase',
                  'Ready',
                  'Restarts',
                  'Sidecar',
                ].map(h => (
                  <th key={h} style={{ textAlign: 'left', paddingRight: 16 }}>
                    <Text variant="body-small" weight="bold">
                      {h}
                    </Text>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {cluster.pods.map(pod => (
                <tr key={pod.name}>
                  <td style={{ paddingRight: 16 }}>
                    <Text variant="body-small">{pod.name}</Text>
                  </td>
                  <td>
                    <Text variant="body-small">{pod.version ?? '—'}</Text>
                  </td>
                  <td>
                    <Text variant="body-small">{pod.phase}</Text>
                  </td>
                  <td>
                    <Text variant="body-small">{pod.ready ? 'yes' : 'no'}</Text>
                  </td>
                  <td>
                    <Text variant="body-small">{pod.restarts}</Text>
                  </td>
                  <td>
                    <Text variant="body-small">
                      {pod.sidecar ? 'yes' : 'no sidecar'}
                    </Text>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ),
      )}
    </Flex>
  );
}

function MeshSection() {
  const { value, loading, error, retry } = useEntityAnswer((api, ref) =>
    Promise.all([
      api.getMesh(ref),
      api.getTraffic(ref, { windowSeconds: 300 }).catch(() => undefined),
      // For the validation findings of its objects.
      api.getLifecycle(ref).catch(() => undefined),
    ]),
  );
  const actions = <RefreshButton loading={loading} onPress={retry} />;
  const [mesh, traffic, lifecycle] = value ?? [];
  // Each section says on its own which clusters it cannot show.
  const section = (
    title: string,
    what: string,
    body: ReactNode,
    // One refresh for the three sections: they show one answer.
    withRefresh = false,
  ) => (
    <Section
      title={title}
      loading={loading && !value}
      error={error}
      actions={withRefresh ? actions : undefined}
    >
      {mesh && (
        <Flex direction="column" gap="3">
          <Unanswered outcomes={mesh.clusters} what={what} />
          {mesh.clusters.length === 0 && (
            <Alert
              status="info"
              icon
              title="No configured cluster can run this service"
              description="Configure meshLifecycle.clusters (or the Kubernetes plugin's clusters), or check the entity's backstage.io/kubernetes-cluster annotation."
            />
          )}
          {body}
        </Flex>
      )}
    </Section>
  );
  return (
    <>
      {section(
        'Traffic split and mTLS',
        'the split',
        mesh && <SplitAndMtls mesh={mesh} traffic={traffic} />,
        true,
      )}
      <ShiftsSection />
      {section(
        'Mesh configuration',
        'the configuration',
        mesh && <MeshObjects mesh={mesh} lifecycle={lifecycle} />,
      )}
      {section(
        'Workloads and pods',
        'the pod list',
        mesh && <Workloads mesh={mesh} />,
      )}
    </>
  );
}

function ShiftsSection() {
  const { value, loading, error, retry } = useEntityAnswer((api, ref) =>
    api.getTrafficShifts(ref, { limit: 5 }),
  );
  return (
    <Section
      title="Traffic shifts"
      loading={loading && !value}
      error={error}
      actions={<RefreshButton loading={loading} onPress={retry} />}
    >
      {value && <TrafficShifts answer={value} />}
    </Section>
  );
}

function Peers(props: { answer: DependenciesResponse }) {
  const { answer } = props;
  const answered = answer.sources.flatMap(s => (s.status === 'ok' ? [s] : []));
  const callers = answered.flatMap(s => s.callers);
  const callees = answered.flatMap(s => s.callees);
  // An empty list is "none" only if every source could have seen some.
  let none = 'none seen over 5 min';
  if (answered.length === 0) none = 'unknown: no Prometheus answered';
  else if (answered.length < answer.sources.length) {
    none = 'none seen by the Prometheus servers that answered';
  }
  const conclusive = unobservedIsConclusive(answer);
  const peer = (
    p: {
      service: string;
      namespace: string;
      requestsPerSecond: number;
      errorRatio: number | null;
    } & {
      entities: Array<{ entityRef: string; owner?: string }>;
      declared: boolean;
    },
    key: string,
  ) => (
    <li key={key}>
      <Text variant="body-small">
        {p.entities.length ? (
          p.entities.map(e => (
            <EntityRefLink key={e.entityRef} entityRef={e.entityRef} />
          ))
        ) : (
          <span>
            {p.service === 'unknown'
              ? 'callers without a sidecar'
              : `${p.namespace}/${p.service}`}
          </span>
        )}{' '}
        — {edgeFigures(p)}
        {p.entities[0]?.owner ? `, owned by ${p.entities[0].owner}` : ''}
        {p.declared ? '' : ' (not declared in the catalog)'}
      </Text>
    </li>
  );
  return (
    <Grid.Root columns={{ initial: '1', md: '2' }} gap="4">
      <Flex direction="column" gap="2">
        <Text as="h4" variant="body-medium" weight="bold">
          Live callers
        </Text>
        <ul aria-label="Live callers" style={{ margin: 0 }}>
          {callers.length === 0 && <li>{none}</li>}
          {callers.map((c, i) => peer(c, `${c.namespace}/${c.workload}/${i}`))}
        </ul>
        {conclusive && answer.unobserved.dependents.length > 0 && (
          <Text variant="body-small" color="secondary">
            Declared but not seen calling:{' '}
            {answer.unobserved.dependents.map(d => d.entityRef).join(', ')}
          </Text>
        )}
      </Flex>
      <Flex direction="column" gap="2">
        <Text as="h4" variant="body-medium" weight="bold">
          Live callees
        </Text>
        <ul aria-label="Live callees" style={{ margin: 0 }}>
          {callees.length === 0 && <li>{none}</li>}
          {callees.map((c, i) => peer(c, `${c.namespace}/${c.service}/${i}`))}
        </ul>
        {conclusive && answer.unobserved.dependencies.length > 0 && (
          <Text variant="body-small" color="secondary">
            Declared but not seen called:{' '}
            {answer.unobserved.dependencies.map(d => d.entityRef).join(', ')}
          </Text>
        )}
      </Flex>
    </Grid.Root>
  );
}

function DependenciesSection() {
  const { value, loading, error } = useEntityAnswer((api, ref) =>
    api.getDependencies(ref, { windowSeconds: 300 }),
  );
  const entityName = useEntity().entity.metadata.name;
  return (
    <Section
      title="Callers and callees"
      loading={loading && !value}
      error={error}
    >
      {value && (
        <Flex direction="column" gap="3">
          <Unanswered
            outcomes={[value.catalog, ...value.sources]}
            what="the dependencies"
          />
          <PeerGraph answer={value} service={entityName} />
          <Peers answer={value} />
        </Flex>
      )}
    </Section>
  );
}

/**
 * The mesh tab of a service: its golden signals over a chosen range, the
 * configured split beside the observed one and mTLS, its last traffic
 * shifts with what each step measured, its Istio objects
 * summarised with their findings and YAML, its workloads and
 * pods per cluster, and its live callers and callees. Each section loads
 * and fails on its own.
 *
 * @public
 */
export function EntityMeshContent() {
  return (
    <Flex direction="column" gap="4">
      <SignalsSection />
      <MeshSection />
      <DependenciesSection />
    </Flex>
  );
}
