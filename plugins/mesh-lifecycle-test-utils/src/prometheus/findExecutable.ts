import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The path of an executable: `name` itself when it holds a path separator,
 * else the first match on `PATH`; fails with how to install it.
 */
export function findExecutable(name: string, envVariable: string): string {
  const candidates = name.includes('/')
    ? [name]
    : (process.env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map(dir => join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here, try the next one
    }
  }
  throw new Error(
    `Cannot find the executable "${name}". Install Debian's prometheus package ` +
      `(apt-get install -y prometheus), which provides prometheus and promtool, ` +
      `or set ${envVariable} to its path.`,
  );
}
