// The writer lives in -common (the mesh tab shows raw YAML with it); it is
// tested here, beside the go-yaml v2 reader the scaffolder's tests share.
import yaml from 'yaml';
import { stringifyKubernetesYaml } from '@mesh-lifecycle/plugin-mesh-lifecycle-common';
import {
  goYamlV2ReadsAsNonString,
  readAsKubernetes,
} from './__testUtils__/readAsKubernetes';

/** Every scalar YAML 1.1 reads as a boolean, null, number or special key. */
const YAML_11_WORDS = [
  ...'y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF'.split(
    '|',
  ),
  ...['null', 'Null', 'NULL', '~', ''],
  // Integers: decimal, octal, binary, hexadecimal, sexagesimal, underscores.
  ...['0', '-1', '+1', '017', '0b1', '-0b1', '0x1F', '1_000', '0_1'],
  ...['1:20', '190:20:30', '12:30', '-1:20'],
  // Floats.
  ...['1.5', '.5', '5.', '-1.5e-3', '1e3', '1E3', '1.0e+3', '685_230.15'],
  ...['190:20:30.15', '.inf', '-.inf', '+.inf', '.Inf', '.NaN', '.nan'],
  // Merge and value keys, timestamps.
  ...['<<', '=', '2001-12-14', '2001-12-14t21:59:43.10-05:00'],
];

/** What go-yaml v2 reads as numbers beyond YAML 1.1: Go number literals. */
const GO_NUMBERS = ['0o17', '0O17', '0B1', '0X1F', '-0o7', '1_', '.5_0'];

/** Strings that need quoting for YAML syntax, not for their type. */
const SYNTAX = ['a: b', '- x', '#x', 'x #y', '@x', '*x', '&x', '!x', '%x'];
const SPACES = [' x', 'x ', 'two\nlines', '\t', "'", '"', '---', '...'];

const ALL = [...YAML_11_WORDS, ...GO_NUMBERS, ...SYNTAX, ...SPACES];

describe('stringifyKubernetesYaml', () => {
  it.each(ALL.map(w => [JSON.stringify(w), w]))(
    'writes %s so that YAML 1.1 and go-yaml read the same string',
    (_shown, word) => {
      const object = {
        value: word,
        [word]: word,
        list: [word, { nested: word }],
      };
      const text = stringifyKubernetesYaml(object);
      const reading = readAsKubernetes(text);
      expect(reading.problems).toEqual([]);
      expect(reading.misread).toEqual([]);
      expect(reading.documents).toEqual([object]);
    },
  );

  it('keeps numbers, booleans and null as they are', () => {
    const object = {
      replicas: 2,
      ratio: 0.01,
      consecutive5xxErrors: 4294967295,
      negative: -3,
      enabled: true,
      disabled: false,
      nothing: null,
      quantities: ['100m', '128Mi', '1', '0.5'],
    };
    const reading = readAsKubernetes(stringifyKubernetesYaml(object));
    expect(reading.documents).toEqual([object]);
    expect(reading.misread).toEqual([]);
  });

  it('writes a plain document: no %YAML directive, no document marker, unfolded lines', () => {
    const expr = `histogram_quantile(0.95, sum by (le) (rate(istio_request_duration_milliseconds_bucket{destination_service_name="orders",destination_service_namespace="shop"}[5m]))) > 1000`;
    const text = stringifyKubernetesYaml({ apiVersion: 'v1', expr });
    expect(text).toBe(`apiVersion: v1\nexpr: ${expr}\n`);
  });

  // Why the writer exists: what the yaml package writes by itself is misread.
  it('differs from the YAML 1.2 default, which Kubernetes misreads', () => {
    const object = { label: 'on', env: 'no', subset: 'y', time: '1:20' };
    const reading = readAsKubernetes(yaml.stringify(object));
    expect(reading.documents).toEqual([
      { label: true, env: false, subset: true, time: 80 },
    ]);
  });

  it("quotes the Go number literals the yaml package's YAML 1.1 mode leaves plain", () => {
    const plain = readAsKubernetes(
      yaml.stringify({ list: GO_NUMBERS }, { version: '1.1' }),
    );
    expect(plain.misread.length).toBeGreaterThan(0);
    const ours = readAsKubernetes(
      stringifyKubernetesYaml({ list: GO_NUMBERS }),
    );
    expect(ours.misread).toEqual([]);
  });
});

describe('goYamlV2ReadsAsNonString (the test oracle)', () => {
  it.each([
    ['on', true],
    ['0o17', true],
    ['0X1F', true],
    ['1_', true],
    ['08', true],
    ['.5', true],
    ['2001-12-14', true],
    ['100m', false],
    ['128Mi', false],
    ['5s', false],
    ['v1', false],
    ['_1', false],
    ['0xg', false],
    ['.x', false],
  ])('%s → %s', (plain, expected) => {
    expect(goYamlV2ReadsAsNonString(plain)).toBe(expected);
  });
});
