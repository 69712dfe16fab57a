import { JsonObject } from '@backstage/types';
import { readFileSync } from 'fs';
import { join } from 'path';
import yaml from 'yaml';

const root = join(__dirname, '../../..');

interface Step extends JsonObject {
  id: string;
  action: string;
  if: string;
  input: JsonObject;
}

interface TemplateDocument {
  spec: {
    steps: Step[];
    output: {
      links: Array<{ title: string; url?: string }>;
      text: Array<{ title: string; content: string }>;
    };
  };
}

const read = (path: string) =>
  yaml.parse(readFileSync(join(root, path), 'utf8')) as TemplateDocument;

describe("the demo portal's retire-service template", () => {
  const shipped = read(
    'plugins/scaffolder-backend-module-mesh-lifecycle/templates/retire-service/template.yaml',
  );
  const demo = read('examples/templates/retire-service/template.yaml');

  it('is the shipped template plus a pull request step for the demo repositories', () => {
    const demoStep = demo.spec.steps.find(s => s.id === 'demo-pull-request')!;
    const github = shipped.spec.steps.find(s => s.id === 'pull-request')!;
    expect(demoStep.action).toBe('publish:demo:pull-request');
    // Where no real host's step runs, with the GitHub step's request.
    expect(demoStep.if).toBe(
      github.if
        .replace("provider == 'github'", 'provider')
        .replace('and steps', 'and not steps'),
    );
    const { url, ...request } = demoStep.input;
    const { repoUrl, targetPath, ...githubRequest } = github.input;
    expect(url).toBe("${{ steps['decommission'].output.catalogSource.url }}");
    expect(request).toEqual(githubRequest);

    // Its pull request is linked and not offered to apply by hand.
    const link = (doc: TemplateDocument) =>
      doc.spec.output.links.find(
        l => l.title === 'Catalog change (pull request)',
      )!;
    expect(link(demo).url).toBe(
      link(shipped).url!.replace(
        ' }}',
        " or steps['demo-pull-request'].output.remoteUrl }}",
      ),
    );
    const byHand = (doc: TemplateDocument) =>
      doc.spec.output.text.find(t => t.title === 'Catalog change')!;
    expect(byHand(demo).content).toBe(
      byHand(shipped).content.replace(
        'provider) }}',
        "provider and not steps['demo-pull-request'].output.remoteUrl) }}",
      ),
    );

    // Otherwise the same, so the demo's browser test runs what adopters get.
    const rest = structuredClone(demo);
    rest.spec.steps = rest.spec.steps.filter(s => s.id !== 'demo-pull-request');
    link(rest).url = link(shipped).url;
    byHand(rest).content = byHand(shipped).content;
    expect(rest).toEqual(shipped);
  });
});
