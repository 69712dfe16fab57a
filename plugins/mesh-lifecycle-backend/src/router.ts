import { HttpAuthService } from '@backstage/backend-plugin-api';
import express from 'express';
import Router from 'express-promise-router';
import { ClusterMeshReader } from './service/ClusterMeshReader';
import { ServiceDeclarations } from './service/types';

/**
 * Builds the plugin's HTTP API.
 */
export async function createRouter(options: {
  httpAuth: HttpAuthService;
  declarations: ServiceDeclarations;
  mesh: ClusterMeshReader;
}): Promise<express.Router> {
  const { httpAuth, declarations, mesh } = options;
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

  return router;
}
