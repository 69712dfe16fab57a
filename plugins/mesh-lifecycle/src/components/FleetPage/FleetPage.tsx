import { Content, Header, Page } from '@backstage/core-components';
import { FleetTable } from './FleetBoard';

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
