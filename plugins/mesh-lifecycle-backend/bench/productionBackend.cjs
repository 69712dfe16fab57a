/*
 * A production-like backend for productionMemory.ts: plain Node.js, no
 * TypeScript transform, no test harness. Backstage's own services
 * (backend-defaults: config, auth, database on SQLite in memory, scheduler,
 * permissions...) with Mesh Lifecycle's compiled packages (their `dist`,
 * built by `yarn tsc && yarn build:packages`) and, for the catalog, an
 * in-memory catalog (`InMemoryCatalogClient`) holding the viewed entity. Run as `node productionBackend.cjs --config
 * <config.json>`, with the catalog's entities in the JSON file named by
 * MESH_BENCH_ENTITIES.
 */
const Module = require('node:module');
const { join, resolve } = require('node:path');

const root = resolve(__dirname, '../../..');
const compiled = {
  '@mesh-lifecycle/plugin-mesh-lifecycle-backend': 'mesh-lifecycle-backend',
  '@mesh-lifecycle/plugin-mesh-lifecycle-common': 'mesh-lifecycle-common',
  '@mesh-lifecycle/plugin-mesh-lifecycle-node': 'mesh-lifecycle-node',
};
// Workspace packages point at their TypeScript sources; a published
// package points at its build, as here.
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveCompiled(request, ...rest) {
  const dir = compiled[request];
  return dir
    ? join(root, 'plugins', dir, 'dist', 'index.cjs.js')
    : resolveFilename.call(this, request, ...rest);
};

const { readFileSync } = require('node:fs');
const { createSpecializedBackend } = require('@backstage/backend-app-api');
const { createServiceFactory } = require('@backstage/backend-plugin-api');
const {
  InMemoryCatalogClient,
} = require('@backstage/catalog-client/testUtils');
const { catalogServiceRef } = require('@backstage/plugin-catalog-node');

/**
 * `stock`: `createBackend()`, every default service (most backends).
 * `dedicated`: only the services Mesh Lifecycle uses, as a backend
 * deployment of its own would (Backstage can split plugins over several
 * deployments): no URL readers (whose cloud SDKs alone take some 60 MB), no
 * events, actions or tracing.
 */
function createBackend(host) {
  if (host === 'stock') {
    return require('@backstage/backend-defaults').createBackend();
  }
  const defaults = name => require(`@backstage/backend-defaults/${name}`);
  return createSpecializedBackend({
    defaultServiceFactories: [
      defaults('auditor').auditorServiceFactory,
      defaults('auth').authServiceFactory,
      defaults('cache').cacheServiceFactory,
      defaults('rootConfig').rootConfigServiceFactory,
      defaults('database').databaseServiceFactory,
      defaults('discovery').discoveryServiceFactory,
      defaults('httpAuth').httpAuthServiceFactory,
      defaults('httpRouter').httpRouterServiceFactory,
      defaults('lifecycle').lifecycleServiceFactory,
      defaults('logger').loggerServiceFactory,
      defaults('permissions').permissionsServiceFactory,
      defaults('permissionsRegistry').permissionsRegistryServiceFactory,
      defaults('rootHealth').rootHealthServiceFactory,
      defaults('rootHttpRouter').rootHttpRouterServiceFactory,
      defaults('rootLifecycle').rootLifecycleServiceFactory,
      process.env.MESH_BENCH_CONFIG_SCHEMA
        ? rootLoggerWithBuiltSchema(process.env.MESH_BENCH_CONFIG_SCHEMA)
        : defaults('rootLogger').rootLoggerServiceFactory,
      defaults('scheduler').schedulerServiceFactory,
      defaults('userInfo').userInfoServiceFactory,
      // The scheduler reports its tasks' metrics.
      defaults('alpha').metricsServiceFactory,
    ],
  });
}

/**
 * A root logger as Backstage's documentation shows one customised (without
 * the stock one's `backend.logger` settings, which the bench does not use),
 * whose configuration schema, which says which values are secrets to redact
 * in logs, is read from a file built ahead of time
 * (`backstage-cli config:schema --format json`) instead of compiled from every
 * package's `config.d.ts` with the TypeScript compiler when the backend starts.
 */
function rootLoggerWithBuiltSchema(schemaPath) {
  const { coreServices } = require('@backstage/backend-plugin-api');
  const { loadConfigSchema } = require('@backstage/config-loader');
  const { WinstonLogger } = require('@backstage/backend-defaults/rootLogger');
  const {
    createConfigSecretEnumerator,
  } = require('@backstage/backend-defaults/rootConfig');
  return createServiceFactory({
    service: coreServices.rootLogger,
    deps: { config: coreServices.rootConfig },
    async factory({ config }) {
      const logger = WinstonLogger.create({
        meta: { service: 'backstage' },
        level: process.env.LOG_LEVEL || 'info',
        format: WinstonLogger.colorFormat(),
      });
      const schema = await loadConfigSchema({
        serialized: JSON.parse(readFileSync(schemaPath, 'utf8')),
      });
      const secrets = await createConfigSecretEnumerator({ logger, schema });
      logger.addRedactions(secrets(config));
      config.subscribe?.(() => logger.addRedactions(secrets(config)));
      return logger;
    },
  });
}

const { entities } = JSON.parse(
  readFileSync(process.env.MESH_BENCH_ENTITIES, 'utf8'),
);
const backend = createBackend(process.env.MESH_BENCH_HOST ?? 'dedicated');
backend.add(require('@mesh-lifecycle/plugin-mesh-lifecycle-backend'));
// The catalog, in memory (the catalog backend is another plugin's cost).
backend.add(
  createServiceFactory({
    service: catalogServiceRef,
    deps: {},
    factory: () => new InMemoryCatalogClient({ entities }),
  }),
);
backend.start().then(
  () => process.send?.({ type: 'ready' }),
  error => {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exit(1);
  },
);
