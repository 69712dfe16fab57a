import { isChildPath } from '@backstage/backend-plugin-api';
import { createReadStream } from 'fs';
import fs from 'fs/promises';
import { IncomingMessage, ServerResponse } from 'http';
import path from 'path';
import { DemoPullRequest, DemoPullRequests } from './demoPullRequests';
import { pullRequestPage } from './pullRequestPage';
import { requestedFile } from './repositoryPaths';

/** Options of {@link createDemoRepositoriesHandler}. */
export interface DemoRepositoriesHandlerOptions {
  /** Serves and merges these pull requests under `/-/pulls/`. */
  pullRequests?: DemoPullRequests;
  /** Called after a merge, e.g. to have the catalog read the change. */
  onMerged?: (pull: DemoPullRequest) => Promise<void>;
  /** Where a failed `onMerged` is reported. */
  warn?: (message: string) => void;
}

function sendHtml(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'x-content-type-options': 'nosniff',
    // The page runs no script and posts only to this route.
    'content-security-policy':
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  });
  res.end(body);
}

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

const PULL_PATH = /^\/-\/pulls\/([^/]+)\/([1-9]\d{0,8})(\/merge)?$/;

async function servePullRequest(
  options: DemoRepositoriesHandlerOptions,
  pullRequests: DemoPullRequests,
  match: RegExpExecArray,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const [, repository, numberText, merge] = match;
  const number = Number(numberText);
  if (merge ? req.method !== 'POST' : req.method !== 'GET') {
    sendText(res, 405, 'Method not allowed\n');
    return;
  }
  const pull = await pullRequests.get(repository, number);
  if (!pull) {
    sendText(res, 404, 'Not found\n');
    return;
  }
  if (!merge) {
    sendHtml(res, 200, pullRequestPage(pull));
    return;
  }
  let merged: DemoPullRequest;
  try {
    merged = await pullRequests.merge(pull.repository, number);
  } catch (error) {
    if ((error as Error).name !== 'ConflictError') throw error;
    sendHtml(res, 409, pullRequestPage(pull, (error as Error).message));
    return;
  }
  try {
    await options.onMerged?.(merged);
  } catch (error) {
    options.warn?.(
      `Merged pull request #${number} on ${
        pull.repository
      }, but could not have the catalog read it: ${(error as Error).message}`,
    );
  }
  // Back to the request's page, which now says it is merged.
  res.writeHead(303, { location: `../${number}` });
  res.end();
}

/**
 * An HTTP handler over the demo repositories: `GET /<name>/` lists a
 * repository's files, `GET /<name>/<path>` serves one as plain text (never
 * as HTML). Anything outside the repositories folder, links included, is a
 * 404. With pull requests: `GET /-/pulls/<name>/<number>` shows one and
 * `POST /-/pulls/<name>/<number>/merge` merges it (`-` is no repository
 * name).
 */
export function createDemoRepositoriesHandler(
  repositoriesDir: string,
  options: DemoRepositoriesHandlerOptions = {},
) {
  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const pullMatch = PULL_PATH.exec(
      new URL(req.url ?? '/', 'http://localhost').pathname,
    );
    if (pullMatch && options.pullRequests) {
      await servePullRequest(
        options,
        options.pullRequests,
        pullMatch,
        req,
        res,
      );
      return;
    }
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
