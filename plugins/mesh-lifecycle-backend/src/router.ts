import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import Router from 'express-promise-router';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { z } from 'zod';
import { ClusterMeshReader } from './service/ClusterMeshReader';
import { TrafficReader } from './service/TrafficReader';
import { AlertsReader } from './service/AlertsReader';
import { DependenciesReader } from './service/DependenciesReader';
import { FleetReader } from './service/FleetReader';
import { LifecycleReader } from './service/LifecycleReader';
import { MeshValidationReader } from './service/MeshValidationReader';
import { AnswerCache, principalKey } from './service/answerCache';
import { FailureClock } from './service/FailureClock';
import { compressedAnswers } from './http/compressedAnswers';
import { LifecycleHistoryStore } from './history/LifecycleHistoryStore';
import {
  TrafficShiftStore,
  parseTrafficShiftRecord,
} from './shifts/TrafficShiftStore';
import {
  RetirementStore,
  parseArchivedObjects,
  parseRetirementRecord,
} from './retirements/RetirementStore';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  ClustersResponse,
  FleetPhasesResponse,
  LifecycleHistoryResponse,
  RetirementArchiveResponse,
  OpenRetirementsResponse,
  RetirementsResponse,
  TrafficShiftsResponse,
  isClusterName,
  isDnsLabel,
  isLabelValue,
  meshValidationReadPermission,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import { MeshClustersService } from '@mesh-lifecycle/plugin-mesh-lifecycle-node';
import { ServiceDeclarations } from './service/types';

/** Most points a traffic series may have. */
const MAX_POINTS = 1000;
/** The longest drain window a lifecycle answer judges: 90 days. */
const MAX_DRAIN_WINDOW_SECONDS = 90 * 86_400;

/**
 * Builds the plugin's HTTP API.
 */
export async function createRouter(options: {
  httpAuth: HttpAuthService;
  /** Decides the reads that the catalog's permissions do not cover. */
  permissions: PermissionsService;
  declarations: ServiceDeclarations;
  mesh: ClusterMeshReader;
  traffic: TrafficReader;
  fleet: FleetReader;
  dependencies: DependenciesReader;
  alerts: AlertsReader;
  lifecycle: LifecycleReader;
  /** The mesh-wide view of the configuration validator. */
  validation: MeshValidationReader;
  history: LifecycleHistoryStore;
  /** The traffic shifts recorded by the scaffolder's mesh:traffic:shift. */
  shifts: TrafficShiftStore;
  /** Retirement requests and archives (mesh:service:decommission). */
  retirements: RetirementStore;
  catalog: CatalogService;
  /** The configured clusters; only their names and environments are served. */
  clusters: Pick<MeshClustersService, 'list'>;
  /** Keeps the costlier answers briefly, per caller. */
  answers: AnswerCache;
}): Promise<express.Router> {
  const {
    httpAuth,
    permissions,
    declarations,
    mesh,
    traffic,
    fleet,
    dependencies,
    alerts,
    lifecycle,
    validation,
    history,
    shifts,
    retirements,
    catalog,
    clusters,
    answers,
  } = options;
  const router = Router();
  router.use(compressedAnswers());
  // Since when each source has been failing, said beside every failure.
  const failures = new FailureClock();

  /** The caller and the declaration of the entity named by the path. */
  const entityOf = async (req: express.Request) => {
    const credentials = await httpAuth.credentials(req);
    const { kind, namespace, name } = req.params;
    const declaration = await declarations.get(
      { kind, namespace, name },
      { credentials },
    );
    return { credentials, declaration };
  };

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get(
    '/entities/:kind/:namespace/:name/declaration',
    async (req, res) => {
      const credentials = await httpAuth.credentials(req);
      const { kind, namespace, name } = req.params;
      res.json(
        await declarations.get({ kind, namespace, name }, { credentials }),
      );
    },
  );

  router.get('/entities/:kind/:namespace/:name/mesh', async (req, res) => {
    const { declaration } = await entityOf(req);
    const answer = await mesh.read(declaration);
    res.json({ ...answer, clusters: failures.stamp('mesh', answer.clusters) });
  });

  const windowSchema = z.coerce.number().int().min(30).max(86_400).default(300);
  const windowQuery = z.object({ window: windowSchema }).strict();
  const readWindow = (query: unknown): number => {
    const parsed = windowQuery.safeParse(query);
    if (!parsed.success) {
      throw new InputError(
        'window must be a whole number of seconds between 30 and 86400; nothing else is accepted',
      );
    }
    return parsed.data.window;
  };
  const trafficQuery = z
    .object({
      window: windowSchema,
      range: z.coerce
        .number()
        .int()
        .min(60)
        .max(7 * 86_400)
        .optional(),
      step: z.coerce.number().int().min(10).max(86_400).optional(),
    })
    .strict();
  router.get('/entities/:kind/:namespace/:name/traffic', async (req, res) => {
    const query = trafficQuery.safeParse(req.query);
    if (!query.success) {
      throw new InputError(
        'window must be a whole number of seconds between 30 and 86400; range (optional) between 60 and 604800; step (optional) between 10 and 86400; nothing else is accepted',
      );
    }
    const { window, range, step } = query.data;
    if (step !== undefined && range === undefined) {
      throw new InputError('step needs a range');
    }
    const stepSeconds =
      step ?? (range ? Math.max(10, Math.ceil(range / MAX_POINTS)) : 0);
    if (range !== undefined && range / stepSeconds > MAX_POINTS) {
      throw new InputError(
        `A range of ${range} s in steps of ${stepSeconds} s gives more than ${MAX_POINTS} points; choose a larger step`,
      );
    }
    const { declaration } = await entityOf(req);
    // Align the range on its step, so that the answer is the same for
    // everyone asking within a step (and cacheable).
    const end = new Date(
      Math.floor(Date.now() / 1000 / (stepSeconds || 1)) *
        (stepSeconds || 1) *
        1000,
    );
    const answer = await traffic.read(declaration, {
      windowSeconds: window,
      ...(range !== undefined
        ? {
            range: {
              start: new Date(end.getTime() - range * 1000),
              end,
              stepSeconds,
            },
          }
        : {}),
    });
    res.json({ ...answer, sources: failures.stamp('traffic', answer.sources) });
  });

  router.get(
    '/entities/:kind/:namespace/:name/dependencies',
    async (req, res) => {
      const windowSeconds = readWindow(req.query);
      const { credentials, declaration } = await entityOf(req);
      const answer = await answers.get(
        `mesh-lifecycle:dependencies:${principalKey(credentials)}:${
          declaration.entityRef
        }:${windowSeconds}`,
        () => dependencies.read(declaration, { windowSeconds, credentials }),
      );
      res.json({
        ...answer,
        catalog: failures.stamp('catalog', [answer.catalog])[0],
        sources: failures.stamp('dependencies', answer.sources),
      });
    },
  );

  router.get('/entities/:kind/:namespace/:name/alerts', async (req, res) => {
    if (Object.keys(req.query).length > 0) {
      throw new InputError('alerts takes no query parameters');
    }
    const { declaration } = await entityOf(req);
    const answer = await alerts.read(declaration);
    res.json({
      ...answer,
      sources: failures.stamp('alerts', answer.sources),
      ...(answer.silences
        ? { silences: failures.stamp('silences', answer.silences) }
        : {}),
    });
  });

  const lifecycleQuery = z
    .object({
      drainWindow: z.coerce
        .number()
        .int()
        .min(60)
        .max(MAX_DRAIN_WINDOW_SECONDS)
        .optional(),
    })
    .strict();
  router.get('/entities/:kind/:namespace/:name/lifecycle', async (req, res) => {
    const query = lifecycleQuery.safeParse(req.query);
    if (!query.success) {
      throw new InputError(
        `drainWindow (optional) must be a whole number of seconds between 60 and ${MAX_DRAIN_WINDOW_SECONDS}: the quiet period the retire conditions judge instead of meshLifecycle.thresholds.retireQuietDays; nothing else is accepted`,
      );
    }
    const { drainWindow } = query.data;
    const { credentials, declaration } = await entityOf(req);
    const answer = await answers.get(
      `mesh-lifecycle:lifecycle:${principalKey(credentials)}:${
        declaration.entityRef
      }:${drainWindow ?? ''}`,
      () =>
        lifecycle.read(declaration, {
          credentials,
          ...(drainWindow !== undefined
            ? { drainWindowSeconds: drainWindow }
            : {}),
        }),
    );
    res.json({
      ...answer,
      validation: failures.stamp('lifecycle', answer.validation),
    });
  });

  const historyQuery = z
    .object({ limit: z.coerce.number().int().min(1).max(1000).default(100) })
    .strict();
  router.get('/entities/:kind/:namespace/:name/history', async (req, res) => {
    const query = historyQuery.safeParse(req.query);
    if (!query.success) {
      throw new InputError(
        'limit must be a whole number between 1 and 1000; nothing else is accepted',
      );
    }
    // Reading the history needs reading the entity.
    const { declaration } = await entityOf(req);
    const answer: LifecycleHistoryResponse = {
      entityRef: declaration.entityRef,
      records: await history.history(declaration.entityRef, {
        limit: query.data.limit,
      }),
    };
    res.json(answer);
  });

  const shiftsQuery = z
    .object({ limit: z.coerce.number().int().min(1).max(100).default(10) })
    .strict();
  router.get('/entities/:kind/:namespace/:name/shifts', async (req, res) => {
    const query = shiftsQuery.safeParse(req.query);
    if (!query.success) {
      throw new InputError(
        'limit must be a whole number between 1 and 100; nothing else is accepted',
      );
    }
    // Reading the shifts needs reading the entity.
    const { declaration } = await entityOf(req);
    const answer: TrafficShiftsResponse = {
      entityRef: declaration.entityRef,
      shifts: await shifts.shifts(declaration.entityRef, {
        limit: query.data.limit,
      }),
    };
    res.json(answer);
  });

  // Written by the scaffolder's mesh:traffic:shift as a shift goes on.
  // Plugins only: the action checked the initiator's permission.
  router.put(
    '/shifts/:id',
    express.json({ limit: '1mb' }),
    async (req, res) => {
      await httpAuth.credentials(req, { allow: ['service'] });
      const record = parseTrafficShiftRecord(req.body);
      if (record.id !== req.params.id) {
        throw new InputError(
          `The record's id ${JSON.stringify(
            record.id,
          )} is not the one of the path ${JSON.stringify(req.params.id)}`,
        );
      }
      await shifts.record(record);
      res.status(204).end();
    },
  );

  const retirementsQuery = z
    .object({ limit: z.coerce.number().int().min(1).max(100).default(10) })
    .strict();
  router.get(
    '/entities/:kind/:namespace/:name/retirements',
    async (req, res) => {
      const query = retirementsQuery.safeParse(req.query);
      if (!query.success) {
        throw new InputError(
          'limit must be a whole number between 1 and 100; nothing else is accepted',
        );
      }
      const { declaration } = await entityOf(req);
      const answer: RetirementsResponse = {
        entityRef: declaration.entityRef,
        retirements: await retirements.retirements(declaration.entityRef, {
          limit: query.data.limit,
        }),
      };
      res.json(answer);
    },
  );

  // Written by the scaffolder's mesh:service:decommission. Plugins only:
  // the action checked the initiator's permission.
  router.put(
    '/retirements/:id',
    express.json({ limit: '1mb' }),
    async (req, res) => {
      await httpAuth.credentials(req, { allow: ['service'] });
      const record = parseRetirementRecord(req.body);
      if (record.id !== req.params.id) {
        throw new InputError(
          `The record's id ${JSON.stringify(
            record.id,
          )} is not the one of the path ${JSON.stringify(req.params.id)}`,
        );
      }
      await retirements.record(record);
      res.status(204).end();
    },
  );

  router.put(
    '/retirements/:id/archive',
    express.json({ limit: '50mb' }),
    async (req, res) => {
      await httpAuth.credentials(req, { allow: ['service'] });
      const body = z.object({ objects: z.array(z.unknown()) }).strict();
      const parsed = body.safeParse(req.body);
      if (!parsed.success) {
        throw new InputError('The body must be { objects: [...] }');
      }
      await retirements.archive(
        req.params.id,
        parseArchivedObjects(parsed.data.objects),
      );
      res.status(204).end();
    },
  );

  router.get('/retirements/:id/archive', async (req, res) => {
    if (Object.keys(req.query).length > 0) {
      throw new InputError('archive takes no query parameters');
    }
    const credentials = await httpAuth.credentials(req);
    const record = await retirements.get(req.params.id);
    if (!record) {
      throw new NotFoundError(`No retirement ${req.params.id} is recorded`);
    }
    // Reading the archive needs reading the service's entity.
    await declarations.get(parseEntityRef(record.entityRef), { credentials });
    const answer: RetirementArchiveResponse = {
      id: record.id,
      entityRef: record.entityRef,
      objects: await retirements.archived(record.id),
    };
    res.json(answer);
  });

  router.get('/retirements', async (req, res) => {
    if (Object.keys(req.query).length > 0) {
      throw new InputError('retirements takes no query parameters');
    }
    const credentials = await httpAuth.credentials(req);
    const open = await retirements.openRequests();
    // Only the services the caller may see.
    const { items } = open.length
      ? await catalog.getEntitiesByRefs(
          {
            entityRefs: open.map(r => r.entityRef),
            fields: ['kind', 'metadata.namespace', 'metadata.name'],
          },
          { credentials },
        )
      : { items: [] };
    const visible = new Set(
      items.flatMap(e => (e ? [stringifyEntityRef(e).toLowerCase()] : [])),
    );
    const answer: OpenRetirementsResponse = {
      retirements: open.filter(r => visible.has(r.entityRef.toLowerCase())),
    };
    res.json(answer);
  });

  router.get('/fleet/phases', async (req, res) => {
    if (Object.keys(req.query).length > 0) {
      throw new InputError('fleet/phases takes no query parameters');
    }
    const credentials = await httpAuth.credentials(req);
    const latest = await history.latestForAll();
    // Only the services the caller may see.
    const { items } = latest.length
      ? await catalog.getEntitiesByRefs(
          {
            entityRefs: latest.map(r => r.entityRef),
            fields: ['kind', 'metadata.namespace', 'metadata.name'],
          },
          { credentials },
        )
      : { items: [] };
    const visible = new Set(
      items.flatMap(e => (e ? [stringifyEntityRef(e).toLowerCase()] : [])),
    );
    const answer: FleetPhasesResponse = {
      services: latest.filter(r => visible.has(r.entityRef.toLowerCase())),
    };
    res.json(answer);
  });

  router.get('/fleet', async (req, res) => {
    const windowSeconds = readWindow(req.query);
    const credentials = await httpAuth.credentials(req);
    const answer = await fleet.read({ credentials, windowSeconds });
    res.json({
      ...answer,
      prometheus: failures.stamp('fleet', answer.prometheus),
      clusters: failures.stamp('fleet', answer.clusters),
    });
  });

  const validationQuery = z
    .object({
      cluster: z.string().refine(isClusterName).optional(),
      namespace: z.string().refine(isDnsLabel).optional(),
    })
    .strict();
  router.get('/validation', async (req, res) => {
    const query = validationQuery.safeParse(req.query);
    if (!query.success) {
      throw new InputError(
        'cluster (optional) must be a cluster name and namespace (optional) a Kubernetes namespace name; nothing else is accepted',
      );
    }
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const [decision] = await permissions.authorize(
      [{ permission: meshValidationReadPermission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `reading the mesh-wide validation needs the ${meshValidationReadPermission.name} permission`,
      );
    }
    const { cluster, namespace } = query.data;
    const answer = await answers.get(
      `mesh-lifecycle:validation:${principalKey(credentials)}:${
        cluster ?? '*'
      }:${namespace ?? '*'}`,
      () => validation.read({ cluster, namespace }),
    );
    res.json({
      ...answer,
      clusters: failures.stamp(
        // Per namespace asked: another namespace may list fine.
        `validation ${namespace ?? '*'}`,
        answer.clusters,
      ),
    });
  });

  const analysisQuery = z
    .object({
      cluster: z.string().refine(isClusterName),
      namespace: z.string().refine(isDnsLabel),
      service: z.string().refine(isDnsLabel),
      version: z
        .string()
        .refine(v => v !== '' && isLabelValue(v))
        .optional(),
      // A step's pause: from 10 s, for scrape intervals of a few seconds.
      window: z.coerce.number().int().min(10).max(86_400).default(300),
    })
    .strict();
  // For traffic shifts (the scaffolder's mesh:traffic:shift): what a
  // version received over a step's pause. Plugins only: users read a
  // service's figures through its entity, whose permission is checked.
  router.get('/analysis', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['service'] });
    const query = analysisQuery.safeParse(req.query);
    if (!query.success) {
      throw new InputError(
        'cluster (a cluster name), namespace and service (Kubernetes names) are required; version (optional) is a label value; window (optional) is a whole number of seconds between 10 and 86400; nothing else is accepted',
      );
    }
    const { window, ...target } = query.data;
    const answer = await traffic.analyse({ ...target, windowSeconds: window });
    res.json({
      ...answer,
      sources: failures.stamp('analysis', answer.sources),
    });
  });

  router.get('/clusters', async (req, res) => {
    if (Object.keys(req.query).length > 0) {
      throw new InputError('clusters takes no query parameters');
    }
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    // Picked field by field, so that nothing else of a cluster's
    // configuration can ever reach the browser.
    const answer: ClustersResponse = {
      clusters: clusters.list().map(({ name, environment }) => ({
        name,
        ...(environment !== undefined ? { environment } : {}),
      })),
    };
    res.json(answer);
  });

  return router;
}
