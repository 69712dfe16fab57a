import {
  DependencyGraph,
  DependencyGraphTypes,
} from '@backstage/core-components';
import { useEntityRefLink } from '@backstage/plugin-catalog-react';
import { DependenciesResponse } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';

interface PeerNode {
  /** What the node shows: the entity's name, or Istio's service name. */
  label: string;
  /** Its catalog entity, when it maps to one. */
  entityRef?: string;
  owner?: string;
  kind: 'self' | 'caller' | 'callee';
  /** Seen in telemetry but not declared in the catalog. */
  undeclared?: boolean;
  /** Declared in the catalog but not seen in telemetry. */
  unseen?: boolean;
}

const NODE_WIDTH = 200;
const NODE_HEIGHT = 44;

const shortRef = (ref: string) => ref.replace(/^[^:]+:(default\/)?/, '');

type Caller = Extract<
  DependenciesResponse['sources'][number],
  { status: 'ok' }
>['callers'][number];

function callerLabel(caller: Caller): string {
  const [entity] = caller.entities;
  if (entity) return shortRef(entity.entityRef);
  if (caller.external) return 'callers without a sidecar';
  return `${caller.namespace}/${caller.service}`;
}

/**
 * Whether "declared but not seen" can be said: the catalog and every
 * Prometheus answered (a source that did not may have seen the traffic).
 */
export function unobservedIsConclusive(answer: DependenciesResponse): boolean {
  return (
    answer.catalog.status === 'ok' &&
    answer.sources.length > 0 &&
    answer.sources.every(s => s.status === 'ok')
  );
}

/**
 * What an edge carries: its request rate and the share answered with a 5xx
 * (`no traffic` when the window holds no request).
 */
export function edgeFigures(edge: {
  requestsPerSecond: number;
  errorRatio: number | null;
}): string {
  if (edge.requestsPerSecond <= 0) return 'no traffic';
  const rate = `${edge.requestsPerSecond.toFixed(
    edge.requestsPerSecond < 10 ? 2 : 1,
  )} req/s`;
  if (edge.errorRatio === null) return rate;
  // Small shares keep two decimals: 0.05 %, 0.2 %, 2.0 %; none is 0 %.
  const share = edge.errorRatio * 100;
  let digits = 1;
  if (share === 0) digits = 0;
  else if (share < 0.1) digits = 2;
  return `${rate}, 5xx ${share.toFixed(digits)} %`;
}

function subtitle(node: PeerNode): string {
  if (node.undeclared) return 'not declared in the catalog';
  if (node.unseen) return 'declared, no traffic seen';
  return node.owner ? `owner ${shortRef(node.owner)}` : '';
}

/**
 * The service's live callers and callees as a graph: edges carry the request
 * rate and 5xx share; nodes link to their entity pages and name their owners;
 * peers the catalog does not declare are drawn dashed, declared ones no
 * source saw dotted (only when every source answered).
 */
export function PeerGraph(props: {
  answer: DependenciesResponse;
  service: string;
}) {
  const entityLink = useEntityRefLink();
  const nodes: DependencyGraphTypes.DependencyNode<PeerNode>[] = [
    { id: 'self', label: props.service, kind: 'self' },
  ];
  const edges: DependencyGraphTypes.DependencyEdge[] = [];
  for (const source of props.answer.sources) {
    if (source.status !== 'ok') continue;
    source.callers.forEach((caller, i) => {
      const entity = caller.entities[0];
      const id = `caller:${
        entity?.entityRef ?? `${caller.namespace}/${caller.workload}`
      }:${i}`;
      nodes.push({
        id,
        kind: 'caller',
        label: callerLabel(caller),
        entityRef: entity?.entityRef,
        owner: entity?.owner,
        undeclared: !caller.declared,
      });
      edges.push({
        from: id,
        to: 'self',
        label: edgeFigures(caller),
      });
    });
    source.callees.forEach((callee, i) => {
      const entity = callee.entities[0];
      const id = `callee:${
        entity?.entityRef ?? `${callee.namespace}/${callee.service}`
      }:${i}`;
      nodes.push({
        id,
        kind: 'callee',
        label: entity
          ? shortRef(entity.entityRef)
          : `${callee.namespace}/${callee.service}`,
        entityRef: entity?.entityRef,
        owner: entity?.owner,
        undeclared: !callee.declared,
      });
      edges.push({
        from: 'self',
        to: id,
        label: edgeFigures(callee),
      });
    });
  }
  // Declared relations no source saw, when every source could have.
  const { answer } = props;
  if (unobservedIsConclusive(answer)) {
    for (const [kind, unseen] of [
      ['caller', answer.unobserved.dependents],
      ['callee', answer.unobserved.dependencies],
    ] as const) {
      unseen.forEach((peer, i) => {
        const id = `unseen-${kind}:${peer.entityRef}:${i}`;
        nodes.push({
          id,
          kind,
          label: shortRef(peer.entityRef),
          entityRef: peer.entityRef,
          owner: peer.owner,
          unseen: true,
        });
        edges.push(
          kind === 'caller'
            ? { from: id, to: 'self', label: 'no traffic' }
            : { from: 'self', to: id, label: 'no traffic' },
        );
      });
    }
  }
  if (edges.length === 0) return null;
  return (
    <DependencyGraph
      aria-label="Live callers and callees"
      nodes={nodes}
      edges={edges}
      direction="LR"
      zoom="enable-on-click"
      fit="contain"
      showArrowHeads
      renderNode={({ node }) => {
        const box = (
          <g>
            <rect
              width={NODE_WIDTH}
              height={NODE_HEIGHT}
              rx={6}
              fill={
                node.kind === 'self'
                  ? 'var(--bui-bg-neutral-3)'
                  : 'var(--bui-bg-neutral-1)'
              }
              stroke="var(--bui-fg-secondary)"
              strokeDasharray={
                (node.undeclared && '4 3') ||
                (node.unseen && '1 3') ||
                undefined
              }
              opacity={node.unseen ? 0.7 : 1}
            />
            <text
              x={10}
              y={18}
              fontSize={13}
              fontWeight="bold"
              fill="var(--bui-fg-primary)"
            >
              {node.label}
            </text>
            <text x={10} y={35} fontSize={11} fill="var(--bui-fg-secondary)">
              {subtitle(node)}
            </text>
          </g>
        );
        return node.entityRef ? (
          <a href={entityLink(node.entityRef)}>{box}</a>
        ) : (
          box
        );
      }}
    />
  );
}
