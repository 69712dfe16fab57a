import { HttpAuthService } from '@backstage/backend-plugin-api';
import express from 'express';
import Router from 'express-promise-router';
import { InputError } from '@backstage/errors';
import { z } from 'zod';
import { ClusterMeshReader } from './service/ClusterMeshReader';
import { TrafficReader } from './service/TrafficReader';
import { ServiceDeclarations } from './service/types';

/**
 * Builds the plugin's HTTP API.
 */
export async function createRouter(options: {
  httpAuth: HttpAuthService;
  declarations: ServiceDeclarations;
  mesh: ClusterMeshReader;
  traffic: TrafficReader;
}): Promise<express.Router> {
  const { httpAuth, declarations, mesh, traffic } = options;
  const router = Router();

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
    const credentials = await httpAuth.credentials(req);
    const { kind, namespace, name } = req.params;
    const declaration = await declarations.get(
      { kind, namespace, name },
      { credentials },
    );
    res.json(await mesh.read(declaration));
  });

  const trafficQuery = z.object({
    window: z.coerce.number().int().min(30).max(86_400).default(300),
  });
  router.get('/entities/:kind/:namespace/:name/traffic', async (req, res) => {
    const query = trafficQuery.safeParse(req.query);
    if (!query.success) {
      throw new InputError(
        'window must be a whole number of seconds between 30 and 86400',
      );
    }
    const credentials = await httpAuth.credentials(req);
    const { kind, namespace, name } = req.params;
    const declaration = await declarations.get(
      { kind, namespace, name },
      { credentials },
    );
    res.json(
      await traffic.read(declaration, { windowSeconds: query.data.window }),
    );
  });

  return router;
}
