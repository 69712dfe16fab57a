import { AssertionError } from 'assert';
import SwaggerParser from '@apidevtools/swagger-parser';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { OpenAPIV3 } from 'openapi-types';
import { join } from 'path';

/** Where the plugin's OpenAPI document lives. */
export const API_SPEC_PATH = join(__dirname, '..', 'openapi.yaml');

/** The HTTP methods an OpenAPI path item may hold. */
export const HTTP_METHODS = Object.values(OpenAPIV3.HttpMethods);

/** One operation of the spec. */
export interface SpecOperation {
  /** The path template, e.g. `/entities/{kind}/{namespace}/{name}/mesh`. */
  path: string;
  method: OpenAPIV3.HttpMethods;
  operation: OpenAPIV3.OperationObject;
}

/** The spec, validated and with every `$ref` resolved. */
export interface ApiSpec {
  document: OpenAPIV3.Document;
  /** The path the backend serves the API under, e.g. `/api/mesh-lifecycle`. */
  basePath: string;
  operations: SpecOperation[];
  /** A validator of a response body, by operation and status code. */
  responseValidator(
    operation: SpecOperation,
    status: number,
  ): ValidateFunction | undefined;
}

/**
 * An Ajv for OpenAPI 3.0 schemas: strict, so a misspelt keyword fails, with
 * the OpenAPI-only annotation keywords known.
 */
export function createSchemaValidator(): Ajv {
  const ajv = new Ajv({ strict: true, allErrors: true });
  addFormats(ajv);
  ajv.addKeyword({ keyword: 'example' });
  return ajv;
}

function isReference(value: object): value is OpenAPIV3.ReferenceObject {
  return '$ref' in value;
}

let loaded: Promise<ApiSpec> | undefined;

async function load(): Promise<ApiSpec> {
  // validate() reads the YAML, checks it against the OpenAPI schema and
  // resolves every $ref in place.
  const validated = await SwaggerParser.validate(API_SPEC_PATH);
  if (!('openapi' in validated) || !validated.openapi.startsWith('3.0.')) {
    throw new AssertionError({
      message: `${API_SPEC_PATH} must be an OpenAPI 3.0 document`,
    });
  }
  const document = validated as OpenAPIV3.Document;
  const basePath = document.servers?.[0]?.url ?? '';
  const operations = Object.entries(document.paths).flatMap(([path, item]) =>
    HTTP_METHODS.flatMap(method => {
      const operation = item?.[method];
      return operation ? [{ path, method, operation }] : [];
    }),
  );
  const ajv = createSchemaValidator();
  const validators = new Map<string, ValidateFunction | undefined>();
  return {
    document,
    basePath,
    operations,
    responseValidator(op, status) {
      const key = `${op.method} ${op.path} ${status}`;
      if (!validators.has(key)) {
        const response =
          op.operation.responses[String(status)] ??
          op.operation.responses.default;
        const schema =
          response && !isReference(response)
            ? response.content?.['application/json']?.schema
            : undefined;
        validators.set(key, schema ? ajv.compile(schema) : undefined);
      }
      return validators.get(key);
    },
  };
}

/** The plugin's OpenAPI document, validated, loaded once per test file. */
export function loadApiSpec(): Promise<ApiSpec> {
  loaded ??= load();
  return loaded;
}

/**
 * The operation of the spec that serves a request, or `undefined`. `url` is
 * what the client asked for, with the base path and any query.
 */
export function findOperation(
  spec: ApiSpec,
  method: string,
  url: string,
): SpecOperation | undefined {
  const { pathname } = new URL(url, 'http://localhost');
  if (!pathname.startsWith(`${spec.basePath}/`)) {
    return undefined;
  }
  const segments = pathname.slice(spec.basePath.length).split('/');
  return spec.operations.find(op => {
    const template = op.path.split('/');
    return (
      op.method === method.toLowerCase() &&
      template.length === segments.length &&
      template.every((part, i) =>
        /^\{[^}]+\}$/.test(part) ? segments[i] !== '' : part === segments[i],
      )
    );
  });
}
