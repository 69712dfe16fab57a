import {
  Content,
  Header,
  Page,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  EntityRefLink,
  EntityRefLinks,
  catalogApiRef,
  getEntityRelations,
} from '@backstage/plugin-catalog-react';
import { RELATION_OWNED_BY } from '@backstage/catalog-model';
import useAsync from 'react-use/esm/useAsync';
import {
  LIFECYCLE_PHASES,
  ServiceDeclaration,
  readServiceDeclaration,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { phaseTitle } from '../PhaseStepper';

interface FleetRow {
  id: string;
  entity: Entity;
  declaration?: ServiceDeclaration;
  problem?: string;
}

function toRow(entity: Entity): FleetRow {
  const id = stringifyEntityRef(entity);
  try {
    return { id, entity, declaration: readServiceDeclaration(entity) };
  } catch (error) {
    return { id, entity, problem: (error as Error).message };
  }
}

function phaseIndex(row: FleetRow): number {
  const phase = row.declaration?.declaredPhase?.phase;
  return phase ? LIFECYCLE_PHASES.indexOf(phase) : LIFECYCLE_PHASES.length;
}

/** Services in lifecycle order, those without a phase last. */
function byPhaseThenName(a: FleetRow, b: FleetRow): number {
  return phaseIndex(a) - phaseIndex(b) || a.id.localeCompare(b.id);
}

const columns: TableColumn<FleetRow>[] = [
  {
    title: 'Service',
    field: 'id',
    highlight: true,
    render: row => <EntityRefLink entityRef={row.entity} />,
  },
  {
    title: 'Owner',
    render: row => (
      <EntityRefLinks
        entityRefs={getEntityRelations(row.entity, RELATION_OWNED_BY)}
        defaultKind="group"
      />
    ),
  },
  {
    title: 'Phase',
    render: row =>
      row.problem ??
      (row.declaration?.declaredPhase
        ? phaseTitle(row.declaration.declaredPhase.phase)
        : 'none declared'),
  },
  {
    title: 'Cluster',
    render: row => row.declaration?.target.cluster ?? '',
  },
  {
    title: 'Namespace',
    render: row => row.declaration?.target.namespace ?? '',
  },
];

/** Table of every service in the catalog with its lifecycle phase. */
export function FleetTable() {
  const catalogApi = useApi(catalogApiRef);
  const { value, loading, error } = useAsync(async () => {
    const { items } = await catalogApi.getEntities({
      filter: { kind: 'Component', 'spec.type': 'service' },
    });
    return items.map(toRow).sort(byPhaseThenName);
  }, [catalogApi]);

  if (loading) {
    return <Progress />;
  }
  if (error) {
    return <ResponseErrorPanel error={error} />;
  }
  return (
    <Table<FleetRow>
      title="Services on the mesh"
      options={{ paging: false, search: true }}
      columns={columns}
      data={value ?? []}
    />
  );
}

/**
 * The fleet page: every service and its lifecycle phase (legacy frontend
 * system, with its own header).
 *
 * @public
 */
export function FleetPage() {
  return (
    <Page themeId="tool">
      <Header
        title="Mesh lifecycle"
        subtitle="Every service on the mesh and where it is in its life"
      />
      <Content>
        <FleetTable />
      </Content>
    </Page>
  );
}
