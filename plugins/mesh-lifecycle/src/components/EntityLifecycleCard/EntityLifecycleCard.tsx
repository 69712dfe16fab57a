import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { EntityRefLink, useEntity } from '@backstage/plugin-catalog-react';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { ServiceDeclaration } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { meshLifecycleApiRef } from '../../api';
import { PhaseStepper, phaseTitle } from '../PhaseStepper';

function Fact(props: { label: string; children: React.ReactNode }) {
  return (
    <Typography variant="body2">
      <strong>{props.label}:</strong> {props.children}
    </Typography>
  );
}

function DeclarationView(props: { declaration: ServiceDeclaration }) {
  const { declaration } = props;
  const { target, declaredPhase } = declaration;
  return (
    <>
      <PhaseStepper phase={declaredPhase?.phase} />
      <Fact label="Declared phase">
        {declaredPhase
          ? `${phaseTitle(declaredPhase.phase)} (from ${declaredPhase.source})`
          : 'none declared'}
      </Fact>
      <Fact label="Kubernetes id">{target.kubernetesId ?? 'not set'}</Fact>
      <Fact label="Namespace">{target.namespace ?? 'any'}</Fact>
      <Fact label="Cluster">{target.cluster ?? 'all configured clusters'}</Fact>
      {declaration.replacedBy && (
        <Fact label="Replaced by">
          {declaration.replacedBy === 'none' ? (
            'no replacement'
          ) : (
            <EntityRefLink entityRef={declaration.replacedBy} />
          )}
        </Fact>
      )}
      {declaration.replaces && (
        <Fact label="Replaces">
          <EntityRefLink entityRef={declaration.replaces} />
        </Fact>
      )}
    </>
  );
}

/**
 * Entity card: the service's lifecycle phase and where the plugin looks for
 * its objects.
 *
 * @public
 */
export function EntityLifecycleCard() {
  const { entity } = useEntity();
  const api = useApi(meshLifecycleApiRef);
  const ref = getCompoundEntityRef(entity);
  const { value, loading, error } = useAsync(
    () => api.getDeclaration(ref),
    [api, ref.kind, ref.namespace, ref.name],
  );

  return (
    <InfoCard title="Mesh lifecycle">
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value && <DeclarationView declaration={value} />}
    </InfoCard>
  );
}
