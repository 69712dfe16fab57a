import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Where a generated section of a Markdown file stands: `current` is what the
 * file holds between its `<!-- generated:NAME -->` and
 * `<!-- /generated:NAME -->` markers, `expected` what the code says.
 *
 * @public
 */
export interface GeneratedSection {
  current: string;
  expected: string;
}

/**
 * Compares a generated section of a Markdown file (a reference rendered from
 * code, such as actions' schemas or an OpenAPI spec) with what the code
 * renders now, so that a test fails when they drift. With
 * `MESH_UPDATE_DOCS=1` in the environment, the file is rewritten first.
 *
 * @public
 */
export function generatedSection(
  file: string,
  name: string,
  expected: string,
): GeneratedSection {
  const start = `<!-- generated:${name} -->`;
  const end = `<!-- /generated:${name} -->`;
  const text = readFileSync(file, 'utf8');
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) {
    throw new Error(`${file} has no ${start} … ${end} section`);
  }
  const body = `\n\n${expected.trim()}\n\n`;
  if (process.env.MESH_UPDATE_DOCS === '1') {
    writeFileSync(
      file,
      `${text.slice(0, from + start.length)}${body}${text.slice(to)}`,
    );
    return { current: body, expected: body };
  }
  return { current: text.slice(from + start.length, to), expected: body };
}
