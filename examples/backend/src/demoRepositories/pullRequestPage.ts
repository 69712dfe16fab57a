import { diffLines } from 'diff';
import { DemoPullRequest, DemoPullRequestFile } from './demoPullRequests';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe to place in HTML, in content and in quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, c => ESCAPES[c]);
}

/** A file's change as lines marked `+`, `-` or ` `. */
export function diffOf(
  file: DemoPullRequestFile,
): Array<{ mark: '+' | '-' | ' '; line: string }> {
  const lines: Array<{ mark: '+' | '-' | ' '; line: string }> = [];
  for (const part of diffLines(file.before ?? '', file.after ?? '')) {
    let mark: '+' | '-' | ' ' = ' ';
    if (part.added) mark = '+';
    else if (part.removed) mark = '-';
    const text = part.value.endsWith('\n')
      ? part.value.slice(0, -1)
      : part.value;
    for (const line of text.split('\n')) lines.push({ mark, line });
  }
  return lines;
}

function fileSection(file: DemoPullRequestFile): string {
  let what = 'changed';
  if (file.before === null) what = 'added';
  else if (file.after === null) what = 'deleted';
  const rows = diffOf(file)
    .map(({ mark, line }) => {
      const kind = { '+': 'add', '-': 'del', ' ': 'ctx' }[mark];
      return `<tr class="${kind}"><td class="mark">${mark}</td><td><code>${escapeHtml(
        line,
      )}</code></td></tr>`;
    })
    .join('\n');
  return `<section aria-label="${escapeHtml(file.path)}">
<h2>${escapeHtml(file.path)} <span class="what">${what}</span></h2>
<table class="diff">${rows}</table>
</section>`;
}

/**
 * The page of a demo pull request: what it proposes, line by line, and a
 * Merge button while it is open, and why a merge failed. Every value is
 * escaped; the page runs no script.
 */
export function pullRequestPage(pull: DemoPullRequest, error?: string): string {
  const state =
    pull.state === 'merged'
      ? `<p class="state merged" role="status">Merged at ${escapeHtml(
          pull.mergedAt ?? '',
        )}. The catalog reads the change on its next refresh of the repository.</p>`
      : `<p class="state open">Open since ${escapeHtml(pull.createdAt)}</p>
<form method="post" action="${
          pull.number
        }/merge"><button type="submit">Merge pull request</button></form>`;
  const message = error
    ? `<p class="notice error" role="alert">${escapeHtml(error)}</p>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(pull.title)} · ${escapeHtml(pull.repository)} #${
    pull.number
  }</title>
<style>
body { font: 14px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #1f2328; }
h1 { font-size: 1.6rem; margin-bottom: 0.25rem; }
h2 { font-size: 1rem; font-family: monospace; background: #f6f8fa; padding: 0.5rem; margin: 1.5rem 0 0; border: 1px solid #d1d9e0; }
.what { font-family: system-ui, sans-serif; font-weight: normal; color: #59636e; }
.meta { color: #59636e; margin-top: 0; }
.description { margin-top: 1rem; white-space: pre-wrap; border-left: 3px solid #d1d9e0; padding-left: 1rem; }
.state.open { color: #1a7f37; font-weight: 600; }
.state.merged { color: #8250df; font-weight: 600; }
.notice.error { color: #d1242f; font-weight: 600; }
table.diff { border-collapse: collapse; width: 100%; border: 1px solid #d1d9e0; border-top: 0; }
table.diff td { padding: 0 0.5rem; white-space: pre; font-family: monospace; }
td.mark { width: 1rem; user-select: none; color: #59636e; }
tr.add { background: #dafbe1; }
tr.del { background: #ffebe9; }
button { font: inherit; font-weight: 600; color: #fff; background: #1f883d; border: 0; border-radius: 6px; padding: 0.4rem 1rem; cursor: pointer; }
</style>
</head>
<body>
<main>
<h1>${escapeHtml(pull.title)} <span class="meta">#${pull.number}</span></h1>
<p class="meta">${escapeHtml(pull.repository)} · branch ${escapeHtml(
    pull.branch,
  )} · ${pull.files.length} file${pull.files.length === 1 ? '' : 's'}</p>
${message}
${state}
<div class="description">${escapeHtml(pull.description)}</div>
${pull.files.map(fileSection).join('\n')}
</main>
</body>
</html>
`;
}
