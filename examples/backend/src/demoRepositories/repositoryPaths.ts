import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';

const REPOSITORY_NAME = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

/** Whether a string is a valid demo repository name (a DNS label). */
export function isRepositoryName(name: string): boolean {
  return REPOSITORY_NAME.test(name);
}

/**
 * The folder of a repository, or an `InputError` naming the field when the
 * name is not a DNS label (so it cannot be `..` or hold a separator).
 */
export function repositoryDir(
  repositoriesDir: string,
  name: string,
  field = 'name',
): string {
  if (!isRepositoryName(name)) {
    throw new InputError(
      `Input ${field} must be a DNS label of at most 63 lowercase alphanumerics or "-", got ${JSON.stringify(
        name,
      )}`,
    );
  }
  return resolveSafeChildPath(repositoriesDir, name);
}

/**
 * The file a request path `/<name>/<path...>` (URL-encoded segments) names
 * inside the repositories folder, or undefined when it names none: a bad
 * repository name, an empty, `.` or `..` segment, a separator or a NUL in a
 * segment, or a path that resolves (through links too) outside the folder.
 */
export function requestedFile(
  repositoriesDir: string,
  pathname: string,
): { name: string; file?: string } | undefined {
  let segments: string[];
  try {
    segments = pathname.split('/').slice(1).map(decodeURIComponent);
  } catch {
    return undefined;
  }
  const [name, ...rest] = segments;
  if (name === undefined || !isRepositoryName(name)) return undefined;
  if (rest.length === 1 && rest[0] === '') return { name };
  if (
    rest.some(
      s =>
        s === '' ||
        s === '.' ||
        s === '..' ||
        s.includes('/') ||
        s.includes('\\') ||
        s.includes('\0'),
    )
  ) {
    return undefined;
  }
  if (rest.length === 0) return { name };
  try {
    return {
      name,
      file: resolveSafeChildPath(
        resolveSafeChildPath(repositoriesDir, name),
        rest.join('/'),
      ),
    };
  } catch {
    return undefined;
  }
}
