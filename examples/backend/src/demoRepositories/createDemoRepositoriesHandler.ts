import { isChildPath } from '@backstage/backend-plugin-api';
import { createReadStream } from 'fs';
import fs from 'fs/promises';
import { IncomingMessage, ServerResponse } from 'http';
import path from 'path';
import { requestedFile } from './repositoryPaths';

function sendText(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

/** Every file of a folder, relative, with `/` separators, in name order. */
async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const files: string[] = [];
  const entries = await fs.readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      files.push(...(await listFiles(path.join(dir, entry.name), relative)));
    } else if (entry.isFile()) {
      files.push(relative);
    }
  }
  return files;
}

/** The real path of an existing path, or undefined. */
async function realPath(p: string): Promise<string | undefined> {
  try {
    return await fs.realpath(p);
  } catch {
    return undefined;
  }
}

/**
 * A read-only HTTP handler over the demo repositories: `GET /<name>/` lists
 * a repository's files, `GET /<name>/<path>` serves one as plain text (never
 * as HTML). Anything outside the repositories folder, links included, is a
 * 404.
 */
export function createDemoRepositoriesHandler(repositoriesDir: string) {
  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendText(res, 405, 'Method not allowed\n');
      return;
    }
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    const target = requestedFile(repositoriesDir, pathname);
    const root = await realPath(repositoriesDir);
    const repository =
      target && root
        ? await realPath(path.join(repositoriesDir, target.name))
        : undefined;
    if (!target || !root || !repository || !isChildPath(root, repository)) {
      sendText(res, 404, 'Not found\n');
      return;
    }
    if (target.file === undefined) {
      sendText(res, 200, `${(await listFiles(repository)).join('\n')}\n`);
      return;
    }
    const file = await realPath(target.file);
    const stat = file && (await fs.stat(file));
    if (!file || !stat || !stat.isFile() || !isChildPath(repository, file)) {
      sendText(res, 404, 'Not found\n');
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': stat.size,
      'x-content-type-options': 'nosniff',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).pipe(res);
  };
  return (
    req: IncomingMessage,
    res: ServerResponse,
    next: (error?: unknown) => void,
  ) => {
    serve(req, res).catch(next);
  };
}
