import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { JsonObject, isJsonObject } from './json';

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

async function manifestFiles(path: string): Promise<string[]> {
  if (!(await stat(path)).isDirectory()) {
    return [path];
  }
  const entries = (await readdir(path)).sort();
  const nested = await Promise.all(
    entries.map(entry => manifestFiles(join(path, entry))),
  );
  return nested.flat().filter(file => MANIFEST_FILE.test(file));
}

/**
 * Parses multi-document YAML into objects, expanding `List` kinds; throws on YAML errors.
 *
 * @public
 */
export function parseKubernetesManifests(
  text: string,
  source = 'manifest',
): JsonObject[] {
  const objects: JsonObject[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) {
      throw new Error(`${source}: ${document.errors[0].message}`);
    }
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    if (!isJsonObject(value)) {
      throw new Error(`${source}: a document is not an object`);
    }
    if (
      typeof value.kind === 'string' &&
      value.kind.endsWith('List') &&
      Array.isArray(value.items)
    ) {
      objects.push(...value.items.filter(isJsonObject));
    } else {
      objects.push(value);
    }
  }
  return objects;
}

/**
 * Reads manifests from files or folders (recursively, in name order), in the order given.
 *
 * @public
 */
export async function loadKubernetesManifests(
  paths: string | readonly string[],
): Promise<JsonObject[]> {
  const objects: JsonObject[] = [];
  for (const path of typeof paths === 'string' ? [paths] : paths) {
    for (const file of await manifestFiles(path)) {
      objects.push(
        ...parseKubernetesManifests(await readFile(file, 'utf8'), file),
      );
    }
  }
  return objects;
}
