import {
  Accordion,
  AccordionPanel,
  AccordionTrigger,
  Flex,
  Skeleton,
  Text,
} from '@backstage/ui';
import {
  LifecycleResponse,
  MeshIstioObject,
  MeshResponse,
  ValidationFinding,
  summarizeMeshObject,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { Suspense, lazy, useState } from 'react';
import { FindingList, countFindings } from '../common/FindingList';
import {
  SourcesAlert,
  UnansweredSource,
  unansweredSources,
} from '../common/SourcesAlert';

const ManifestYaml = lazy(() => import('./ManifestYaml'));

const keyOf = (o: { kind: string; namespace: string; name: string }) =>
  `${o.kind}/${o.namespace}/${o.name}`;

const SCOPE_WORDS = {
  workload: 'applies to its workloads',
  namespace: 'applies to its namespace',
  mesh: 'applies mesh-wide',
};

/** The raw object, written out only once a user opens it. */
function RawYaml(props: {
  manifest: { [key: string]: unknown };
  name: string;
}) {
  const [open, setOpen] = useState(false);
  return (
    <Accordion isExpanded={open} onExpandedChange={setOpen}>
      <AccordionTrigger title="YAML" subtitle="as the cluster serves it" />
      <AccordionPanel>
        {open && (
          <Suspense fallback={<Skeleton height={120} />}>
            <ManifestYaml
              manifest={props.manifest}
              label={`YAML of ${props.name}`}
            />
          </Suspense>
        )}
      </AccordionPanel>
    </Accordion>
  );
}

function MeshObject(props: {
  object: MeshIstioObject;
  cluster: string;
  /** Its findings; undefined when the validation did not answer. */
  findings?: ValidationFinding[];
}) {
  const { object, findings } = props;
  const name = `${object.kind} ${object.namespace}/${object.name}`;
  const sections = object.manifest
    ? summarizeMeshObject(object.kind, object.manifest)
    : [];
  return (
    <section
      aria-label={name}
      style={{
        border: '1px solid var(--bui-border-1)',
        borderRadius: 4,
        padding: 'var(--bui-space-3)',
      }}
    >
      <Flex direction="column" gap="2">
        <Flex gap="2" align="baseline" style={{ flexWrap: 'wrap' }}>
          <Text as="h5" variant="body-medium" weight="bold">
            {name}
          </Text>
          <Text variant="body-small" color="secondary">
            {object.apiVersion}
            {object.scope ? `, ${SCOPE_WORDS[object.scope]}` : ''}
            {' · '}
            {findings
              ? countFindings(findings)
              : 'findings unknown (not validated)'}
          </Text>
        </Flex>
        {object.manifest ? (
          <dl
            style={{
              display: 'grid',
              gridTemplateColumns: 'max-content 1fr',
              columnGap: 'var(--bui-space-4)',
              rowGap: 'var(--bui-space-1)',
              margin: 0,
            }}
          >
            {sections.map(section => [
              <dt
                key={`${section.path}/title`}
                style={{ gridColumn: '1 / -1', marginTop: 4 }}
              >
                <Text variant="body-small" weight="bold">
                  {section.title}
                </Text>
              </dt>,
              ...section.lines.flatMap(line => [
                <dt key={`${line.path}/${line.label}/t`}>
                  <Text variant="body-small" color="secondary">
                    {line.label}
                  </Text>
                </dt>,
                <dd key={`${line.path}/${line.label}/d`} style={{ margin: 0 }}>
                  <Text variant="body-small">{line.value}</Text>
                </dd>,
              ]),
            ])}
          </dl>
        ) : (
          <Text variant="body-small" color="secondary">
            Its content was not served (an older backend): only its name is
            known.
          </Text>
        )}
        {findings && findings.length > 0 && (
          <FindingList
            findings={findings.map(f => ({ ...f, cluster: props.cluster }))}
            label={`Findings of ${name}`}
            withObject={false}
          />
        )}
        {object.manifest && <RawYaml manifest={object.manifest} name={name} />}
      </Flex>
    </section>
  );
}

/**
 * The service's Istio objects per cluster, each as a readable summary with
 * its validation findings (from the `lifecycle` answer) and its YAML on
 * demand.
 */
export function MeshObjects(props: {
  mesh: MeshResponse;
  /** The lifecycle answer, for the findings; undefined when it failed. */
  lifecycle?: LifecycleResponse;
}) {
  const { mesh, lifecycle } = props;
  return (
    <Flex direction="column" gap="4">
      {mesh.clusters.map(cluster => {
        if (cluster.status !== 'ok') return null;
        const validation = lifecycle?.validation.find(
          v => v.source === cluster.cluster,
        );
        const findings = validation?.status === 'ok' ? validation.findings : [];
        const listed = new Set(cluster.istioObjects.map(keyOf));
        const findingsOf = (o: MeshIstioObject) =>
          validation?.status === 'ok'
            ? findings.filter(f => keyOf(f.object) === keyOf(o))
            : undefined;
        const others = findings.filter(f => !listed.has(keyOf(f.object)));
        let unvalidated: Array<string | UnansweredSource>;
        if (!lifecycle) unvalidated = ['the lifecycle answer failed'];
        else if (!validation) unvalidated = ['this cluster was not validated'];
        else unvalidated = unansweredSources([validation]);
        return (
          <Flex key={cluster.cluster} direction="column" gap="2">
            <Text as="h4" variant="body-medium" weight="bold">
              Cluster {cluster.cluster}
            </Text>
            <SourcesAlert
              title="Validation findings cannot be shown (the objects are, without them): refresh to try again"
              lines={unvalidated}
            />
            {cluster.istioObjects.length === 0 ? (
              <Text variant="body-small" color="secondary">
                No Istio object concerns this service here: its traffic gets the
                mesh defaults (no timeout, 2 retries, no outlier detection). The
                create-service template writes the seed's defaults.
              </Text>
            ) : (
              cluster.istioObjects.map(o => (
                <MeshObject
                  key={`${o.kind}/${o.namespace}/${o.name}`}
                  object={o}
                  cluster={cluster.cluster}
                  findings={findingsOf(o)}
                />
              ))
            )}
            {others.length > 0 && (
              <Flex direction="column" gap="2">
                <Text as="h5" variant="body-medium" weight="bold">
                  Findings on its other objects
                </Text>
                <FindingList
                  findings={others.map(f => ({
                    ...f,
                    cluster: cluster.cluster,
                  }))}
                  label={`Other findings on ${cluster.cluster}`}
                />
              </Flex>
            )}
          </Flex>
        );
      })}
    </Flex>
  );
}
