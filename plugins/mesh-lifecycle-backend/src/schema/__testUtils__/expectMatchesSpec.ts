import { AssertionError } from 'assert';
import { findOperation, loadApiSpec } from './apiSpec';

/** What `expectMatchesSpec` needs of a response; a supertest response fits. */
export interface ResponseToCheck {
  status: number;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  request: { method: string; url: string };
}

/** Which documented answer a response was. */
export interface MatchedAnswer {
  operationId: string;
  status: number;
}

/**
 * Asserts that a real response of the backend is one the OpenAPI spec
 * documents: the route and method exist, the status code is listed, and the
 * JSON body validates against that status code's schema (Ajv, all errors).
 * Returns which answer it was, so tests can check what they covered.
 */
export async function expectMatchesSpec(
  response: ResponseToCheck,
): Promise<MatchedAnswer> {
  const spec = await loadApiSpec();
  const { method, url } = response.request;
  const operation = findOperation(spec, method, url);
  if (!operation) {
    throw new AssertionError({
      message: `The spec has no operation for ${method} ${url}`,
    });
  }
  const operationId = operation.operation.operationId ?? operation.path;
  const where = `${operationId} (${method} ${url}) answering ${response.status}`;
  const documented = operation.operation.responses[String(response.status)];
  if (
    documented &&
    !('$ref' in documented) &&
    documented.content === undefined
  ) {
    // Documented without a body (204): the answer must have none.
    expect({
      where,
      body: response.body,
      type: response.headers['content-type'],
    }).toEqual({
      where,
      body: {},
      type: undefined,
    });
    return { operationId, status: response.status };
  }
  const validate = spec.responseValidator(operation, response.status);
  if (!validate) {
    throw new AssertionError({
      message: `The spec documents no JSON body for ${where}`,
    });
  }
  expect({ where, contentType: response.headers['content-type'] }).toEqual({
    where,
    contentType: expect.stringMatching(/^application\/json\b/),
  });
  validate(response.body);
  expect({
    where,
    problems: (validate.errors ?? []).map(
      e =>
        `${e.instancePath || '(body)'} ${e.message} ${JSON.stringify(
          e.params,
        )}`,
    ),
  }).toEqual({ where, problems: [] });
  return { operationId, status: response.status };
}
