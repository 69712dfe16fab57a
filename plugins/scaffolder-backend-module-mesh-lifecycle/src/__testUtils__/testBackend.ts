import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  TokenIdentity,
  clusterRoleRules,
} from '@mesh-lifecycle/plugin-mesh-lifecycle-test-utils';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import yaml from 'yaml';

const TEMPLATES = path.resolve(__dirname, '../../templates');
const RBAC = path.resolve(
  __dirname,
  '../../../../examples/rbac/mesh-lifecycle.yaml',
);

/**
 * An emulator token with exactly the rights `examples/rbac/mesh-lifecycle.yaml`
 * gives the backend's service account (both cluster roles): the actions and
 * the backend plugin are tested with what the README tells adopters to grant.
 */
export function meshLifecycleServiceAccount(): Record<string, TokenIdentity> {
  return {
    [`mesh-lifecycle-${randomBytes(12).toString('hex')}`]: {
      user: 'system:serviceaccount:backstage:mesh-lifecycle',
      rules: clusterRoleRules(
        RBAC,
        'mesh-lifecycle-read',
        'mesh-lifecycle-write',
      ),
    },
  };
}

/** A template of `templates/` as the catalog holds it (in `default`). */
export async function templateEntity(name: string): Promise<Entity> {
  const file = path.join(TEMPLATES, name, 'template.yaml');
  const entity = yaml.parse(await fs.readFile(file, 'utf8')) as Entity;
  entity.metadata.namespace = 'default';
  entity.metadata.annotations = {
    ...entity.metadata.annotations,
    'backstage.io/managed-by-location': `file:${file}`,
  };
  return entity;
}

/**
 * A permission service that allows everything, except `permission` to
 * `user` (an entity ref): who may run templates but not this action.
 */
export function permissionsDenying(permission: string, user: string) {
  return createServiceFactory({
    service: coreServices.permissions,
    deps: {},
    factory: () => ({
      authorize: async (requests, { credentials: { principal } }) =>
        requests.map(request => ({
          result:
            request.permission.name === permission &&
            typeof principal === 'object' &&
            principal !== null &&
            'userEntityRef' in principal &&
            principal.userEntityRef === user
              ? AuthorizeResult.DENY
              : AuthorizeResult.ALLOW,
        })),
      authorizeConditional: async requests =>
        requests.map(() => ({ result: AuthorizeResult.ALLOW })),
    }),
  });
}

/**
 * HTTP calls to a test backend's routes (its server, or its base URL when
 * it runs in another process), as a signed-in user by default.
 */
export function backendCaller(backend: () => Server | string) {
  const url = (pathname: string) => {
    const target = backend();
    const u = new URL(typeof target === 'string' ? target : 'http://127.0.0.1');
    if (typeof target !== 'string') {
      u.port = String((target.address() as AddressInfo).port);
    }
    u.pathname = pathname;
    return u;
  };
  const call = async (
    method: 'GET' | 'POST' | 'PUT',
    pathname: string,
    body?: object,
    authorization = mockCredentials.user.header(),
  ) => {
    const response = await fetch(url(pathname), {
      method,
      headers: {
        authorization,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(`${method} ${pathname}: ${response.status} ${text}`);
    }
    return text ? JSON.parse(text) : undefined;
  };
  return { url, call };
}

/**
 * `meshLifecycle` configuration of a test backend: one emulated cluster
 * (with the Istio cluster ID its telemetry carries) and a Prometheus.
 */
export function meshLifecycleTestConfig(options: {
  emulator: { url: string; token: string };
  name: string;
  istioClusterId: string;
  prometheusUrl: string;
}) {
  return {
    clusters: [
      {
        name: options.name,
        url: options.emulator.url,
        serviceAccountToken: options.emulator.token,
        allowInsecureHttp: true,
        environment: 'production',
        istioClusterId: options.istioClusterId,
      },
    ],
    prometheus: { url: options.prometheusUrl },
  };
}
