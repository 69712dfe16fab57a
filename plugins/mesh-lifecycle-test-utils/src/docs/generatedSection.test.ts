import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatedSection } from './generatedSection';

describe('generatedSection', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'generated-')), 'README.md');
  const readme = [
    '# Title',
    '',
    '<!-- generated:routes -->',
    '',
    '- `GET /old`',
    '',
    '<!-- /generated:routes -->',
    '',
    'Hand-written.',
    '',
  ].join('\n');

  afterEach(() => {
    delete process.env.MESH_UPDATE_DOCS;
  });

  it('tells what the file holds and what the code renders', () => {
    writeFileSync(file, readme);
    const section = generatedSection(file, 'routes', '- `GET /new`\n');
    expect(section.current).toBe('\n\n- `GET /old`\n\n');
    expect(section.expected).toBe('\n\n- `GET /new`\n\n');
    expect(readFileSync(file, 'utf8')).toBe(readme);
  });

  it('rewrites only the section when asked to', () => {
    writeFileSync(file, readme);
    process.env.MESH_UPDATE_DOCS = '1';
    const section = generatedSection(file, 'routes', '- `GET /new`');
    expect(section.current).toBe(section.expected);
    expect(readFileSync(file, 'utf8')).toBe(
      readme.replace('- `GET /old`', '- `GET /new`'),
    );
  });

  it('says when the file has no such section', () => {
    writeFileSync(file, readme);
    expect(() => generatedSection(file, 'actions', 'x')).toThrow(
      `${file} has no <!-- generated:actions --> … <!-- /generated:actions --> section`,
    );
  });
});
