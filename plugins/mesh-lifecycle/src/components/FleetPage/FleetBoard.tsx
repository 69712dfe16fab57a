import { UnansweredSource } from '../common/SourcesAlert';
import { RelativeTime } from '../common/RelativeTime';
import { useApi } from '@backstage/frontend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import {
  EntityRefLink,
  catalogApiRef,
  humanizeEntityRef,
} from '@backstage/plugin-catalog-react';
import {
  Alert,
  Button,
  Cell,
  CellText,
  ColumnConfig,
  Flex,
  Select,
  Table,
  Text,
  useTable,
} from '@backstage/ui';
import {
  HealthVerdict,
  LIFECYCLE_PHASES,
  LifecyclePhase,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { useMemo, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { meshLifecycleApiRef } from '../../api';
import { AnswerBody, RefreshButton } from '../common/EntityAnswerCard';
import { phaseTitle } from '../PhaseStepper';
import { OpenRetirements } from './OpenRetirements';
import {
  FleetRow,
  fleetRows,
  formatMs,
  formatPercent,
  formatClusters,
  formatRate,
} from './fleetRows';

const HEALTH_TITLES: Record<HealthVerdict, string> = {
  healthy: 'Healthy',
  degraded: 'Degraded',
  failing: 'Failing',
  'not-ready': 'Not ready',
  idle: 'Idle',
  unknown: 'Unknown',
};

interface Filters {
  owner: string;
  system: string;
  phase: string;
  cluster: string;
  health: string;
}

const ALL = '*';
const NO_FILTER: Filters = {
  owner: ALL,
  system: ALL,
  phase: ALL,
  cluster: ALL,
  health: ALL,
};

/** An owner or system as people write it; a malformed ref as it is. */
function short(value: string | undefined, kind = 'group'): string {
  if (!value) return '';
  try {
    return humanizeEntityRef(
      parseEntityRef(value, { defaultKind: kind, defaultNamespace: 'default' }),
      { defaultKind: kind },
    );
  } catch {
    return value;
  }
}

function matches(row: FleetRow, filters: Filters): boolean {
  return (
    (filters.owner === ALL || row.owner === filters.owner) &&
    (filters.system === ALL || row.system === filters.system) &&
    (filters.phase === ALL || (row.phase ?? 'none') === filters.phase) &&
    (filters.cluster === ALL ||
      // A cluster that did not answer may hold it: keep it in sight.
      [...row.clusters, ...row.unansweredClusters].includes(filters.cluster)) &&
    (filters.health === ALL || (row.health ?? 'none') === filters.health)
  );
}

const SORT_KEYS: Record<string, (row: FleetRow) => string | number> = {
  service: row => row.id,
  phase: row =>
    row.phase ? LIFECYCLE_PHASES.indexOf(row.phase) : LIFECYCLE_PHASES.length,
  health: row => row.health ?? '',
  owner: row => row.owner ?? '',
  system: row => row.system ?? '',
  rate: row => row.requestsPerSecond ?? -1,
  errors: row => row.ratio5xx ?? -1,
  p95: row => row.p95LatencyMs ?? -1,
  gates: row => row.failingGates ?? -1,
};

const columns: ColumnConfig<FleetRow>[] = [
  {
    id: 'service',
    label: 'Service',
    isRowHeader: true,
    isSortable: true,
    cell: row => (
      <Cell>
        <EntityRefLink entityRef={row.id} title={row.title} />
        {row.problem && (
          <Text as="div" variant="body-small" color="danger">
            {row.problem}
          </Text>
        )}
      </Cell>
    ),
  },
  {
    id: 'phase',
    label: 'Phase',
    isSortable: true,
    cell: row => (
      <CellText
        title={row.phase ? phaseTitle(row.phase) : 'not evaluated yet'}
        description={row.phaseFrom === 'declared' ? 'declared' : undefined}
      />
    ),
  },
  {
    id: 'health',
    label: 'Health',
    isSortable: true,
    cell: row => (
      <CellText title={row.health ? HEALTH_TITLES[row.health] : '—'} />
    ),
  },
  {
    id: 'owner',
    label: 'Owner',
    isSortable: true,
    cell: row => <CellText title={short(row.owner)} />,
  },
  {
    id: 'system',
    label: 'System',
    isSortable: true,
    cell: row => <CellText title={short(row.system, 'system')} />,
  },
  {
    id: 'clusters',
    label: 'Clusters',
    cell: row => <CellText title={formatClusters(row)} />,
  },
  {
    id: 'rate',
    label: 'Requests',
    isSortable: true,
    cell: row => <CellText title={formatRate(row.requestsPerSecond)} />,
  },
  {
    id: 'errors',
    label: '5xx',
    isSortable: true,
    cell: row => (
      <CellText title={formatPercent(row.ratio5xx, row.requestsPerSecond)} />
    ),
  },
  {
    id: 'p95',
    label: 'p95',
    isSortable: true,
    cell: row => (
      <CellText title={formatMs(row.p95LatencyMs, row.requestsPerSecond)} />
    ),
  },
  {
    id: 'gates',
    label: 'Gates',
    isSortable: true,
    cell: row => {
      if (row.failingGates === undefined) return <CellText title="—" />;
      const parts = [`${row.failingGates} failing`];
      if (row.unknownGates) parts.push(`${row.unknownGates} unknown`);
      return <CellText title={parts.join(', ')} />;
    },
  },
];

function FilterSelect(props: {
  label: string;
  value: string;
  options: Array<{ id: string; label: string }>;
  onChange: (value: string) => void;
}) {
  return (
    <Select
      label={props.label}
      options={[{ id: ALL, label: 'All' }, ...props.options]}
      selectedKey={props.value}
      onSelectionChange={key => props.onChange(String(key ?? ALL))}
    />
  );
}

function distinct(values: Array<string | undefined>) {
  return [...new Set(values.filter((v): v is string => Boolean(v)))].sort();
}

function Board(props: {
  rows: FleetRow[];
  problems: UnansweredSource[];
  /** When the oldest request figures shown were asked for. */
  figuresAsOf?: string;
}) {
  const { rows } = props;
  const [filters, setFilters] = useState<Filters>(NO_FILTER);
  const set = (key: keyof Filters) => (value: string) =>
    setFilters(current => ({ ...current, [key]: value }));
  const counts = useMemo(() => {
    const byPhase = new Map<string, number>();
    for (const row of rows) {
      const key = row.phase ?? 'none';
      byPhase.set(key, (byPhase.get(key) ?? 0) + 1);
    }
    return byPhase;
  }, [rows]);
  const data = useMemo(
    () => rows.filter(row => matches(row, filters)),
    [rows, filters],
  );
  const { tableProps } = useTable<FleetRow>({
    mode: 'complete',
    data,
    paginationOptions: { pageSize: 50 },
    sortFn: (items, sort) => {
      const key = SORT_KEYS[String(sort.column)] ?? SORT_KEYS.service;
      const sign = sort.direction === 'descending' ? -1 : 1;
      return [...items].sort((a, b) => {
        const [x, y] = [key(a), key(b)];
        if (x === y) return 0;
        return (x < y ? -1 : 1) * sign;
      });
    },
  });
  return (
    <Flex direction="column" gap="4">
      {props.problems.map(problem => (
        <Alert
          key={problem.text}
          status="warning"
          icon
          title={problem.text}
          description={
            problem.since ? (
              <>
                Failing since <RelativeTime iso={problem.since} />.
              </>
            ) : undefined
          }
        />
      ))}
      <nav aria-label="Services per phase">
        <Flex gap="2" style={{ flexWrap: 'wrap' }}>
          {[...LIFECYCLE_PHASES, 'none' as const].map(phase => {
            const selected = filters.phase === phase;
            return (
              <Button
                key={phase}
                size="small"
                variant={selected ? 'primary' : 'secondary'}
                aria-pressed={selected}
                onPress={() => set('phase')(selected ? ALL : phase)}
              >
                {phase === 'none'
                  ? 'Not evaluated'
                  : phaseTitle(phase as LifecyclePhase)}
                : {counts.get(phase) ?? 0}
              </Button>
            );
          })}
        </Flex>
      </nav>
      <Flex gap="3" align="end" style={{ flexWrap: 'wrap' }}>
        <FilterSelect
          label="Owner"
          value={filters.owner}
          options={distinct(rows.map(r => r.owner)).map(id => ({
            id,
            label: short(id),
          }))}
          onChange={set('owner')}
        />
        <FilterSelect
          label="System"
          value={filters.system}
          options={distinct(rows.map(r => r.system)).map(id => ({
            id,
            label: short(id, 'system'),
          }))}
          onChange={set('system')}
        />
        <FilterSelect
          label="Phase"
          value={filters.phase}
          options={LIFECYCLE_PHASES.map(p => ({ id: p, label: phaseTitle(p) }))}
          onChange={set('phase')}
        />
        <FilterSelect
          label="Cluster"
          value={filters.cluster}
          options={distinct(
            rows.flatMap(r => [...r.clusters, ...r.unansweredClusters]),
          ).map(id => ({
            id,
            label: id,
          }))}
          onChange={set('cluster')}
        />
        <FilterSelect
          label="Health"
          value={filters.health}
          options={(Object.keys(HEALTH_TITLES) as HealthVerdict[]).map(h => ({
            id: h,
            label: HEALTH_TITLES[h],
          }))}
          onChange={set('health')}
        />
      </Flex>
      <Flex gap="3">
        <Text variant="body-small" color="secondary">
          {data.length} of {rows.length} services
        </Text>
        {props.figuresAsOf && (
          <Text variant="body-small" color="secondary">
            Request figures from <RelativeTime iso={props.figuresAsOf} />
          </Text>
        )}
      </Flex>
      <Table<FleetRow>
        columnConfig={columns}
        {...tableProps}
        emptyState={
          <Text>
            {rows.length === 0
              ? 'No service in the catalog yet: register Components of type service with backstage.io/kubernetes-id.'
              : 'No service matches these filters.'}
          </Text>
        }
      />
    </Flex>
  );
}

/**
 * The fleet board: every service of the catalog with its recorded phase and
 * health, owner, system, clusters, request rate, 5xx ratio, p95 and gates,
 * filterable and sortable, with the count per phase, and the open
 * retirement requests. The recorded lifecycle, the figures and the requests
 * each report their own failure; the catalog's is an error.
 */
export function FleetTable() {
  const catalogApi = useApi(catalogApiRef);
  const api = useApi(meshLifecycleApiRef);
  const { value, loading, error, retry } = useAsyncRetry(async () => {
    const settle = <T,>(promise: Promise<T>) =>
      promise.then(
        v => ({ value: v }),
        (e: Error) => ({ error: e }),
      );
    const [entities, fleet, phases, retirements] = await Promise.all([
      catalogApi.getEntities({
        filter: { kind: 'Component', 'spec.type': 'service' },
        fields: [
          'kind',
          'metadata.namespace',
          'metadata.name',
          'metadata.title',
          'spec.owner',
          'spec.system',
        ],
      }),
      settle(api.getFleet()),
      settle(api.getFleetPhases()),
      settle(api.getOpenRetirements()),
    ]);
    const problems: UnansweredSource[] = [];
    if ('error' in fleet) {
      problems.push({
        text: `Request figures and clusters are missing: ${fleet.error.message}`,
      });
    }
    if ('error' in retirements) {
      problems.push({
        text: `Open retirement requests are missing: ${retirements.error.message}`,
      });
    }
    if ('error' in phases) {
      problems.push({
        text: `Recorded phases, health and gates are missing: ${phases.error.message}`,
      });
    }
    for (const source of 'value' in fleet
      ? [...fleet.value.prometheus, ...fleet.value.clusters]
      : []) {
      if (source.status === 'error') {
        problems.push({
          text: `${source.source} did not answer, its figures are missing: ${source.error.message}`,
          ...(source.error.since ? { since: source.error.since } : {}),
        });
      }
    }
    // The oldest figures shown: Prometheus answers are reused for a while,
    // and refreshed behind while the last ones are shown.
    const figuresAsOf = ('value' in fleet ? fleet.value.prometheus : [])
      .flatMap(source =>
        source.status === 'ok' && source.asOf ? [source.asOf] : [],
      )
      .sort()[0];
    return {
      figuresAsOf,
      rows: fleetRows({
        entities: entities.items,
        fleet: 'value' in fleet ? fleet.value : undefined,
        phases: 'value' in phases ? phases.value : undefined,
      }),
      problems,
      retirements:
        'value' in retirements ? retirements.value.retirements : undefined,
    };
  }, [catalogApi, api]);

  return (
    <Flex direction="column" gap="3" className="mesh-lifecycle">
      <Flex justify="between" align="center">
        <Text as="h2" variant="title-small" weight="bold">
          Services on the mesh
        </Text>
        <RefreshButton loading={loading} onPress={retry} />
      </Flex>
      <AnswerBody value={value} loading={loading} error={error}>
        {answer => (
          <Flex direction="column" gap="4">
            <Board
              rows={answer.rows}
              problems={answer.problems}
              figuresAsOf={answer.figuresAsOf}
            />
            {answer.retirements && (
              <OpenRetirements requests={answer.retirements} />
            )}
          </Flex>
        )}
      </AnswerBody>
    </Flex>
  );
}
