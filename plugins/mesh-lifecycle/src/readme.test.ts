import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const read = (file: string) =>
  readFileSync(join(__dirname, '..', file), 'utf8');

describe('the README', () => {
  const readme = read('README.md');

  it('names every extension of the /alpha plugin', () => {
    const ids = [
      ...read('report-alpha.api.md').matchAll(
        /'((?:[a-z-]+:)?mesh-lifecycle(?:\/[a-z-]+)?)': OverridableExtensionDefinition/g,
      ),
    ].map(m => m[1]);
    expect(ids.length).toBeGreaterThanOrEqual(8);
    expect(ids.filter(id => !readme.includes(`\`${id}\``))).toEqual([]);
  });

  it('names every export of the legacy entry point', () => {
    const exported = [
      ...read('report.api.md').matchAll(
        /^export (?:const|function|class) ([A-Za-z]+)/gm,
      ),
    ].map(m => m[1]);
    expect(exported.length).toBeGreaterThanOrEqual(15);
    expect(exported.filter(name => !readme.includes(`\`${name}\``))).toEqual(
      [],
    );
  });
});
