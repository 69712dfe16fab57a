import { InputError } from '@backstage/errors';
import { LabelSelector, buildLabelSelector } from './buildLabelSelector';
import { EXPECTED_LABEL_KEY, isLabelKey, show } from './kubernetesNames';

type TokenKind =
  | 'identifier'
  | '!'
  | '='
  | '=='
  | '!='
  | ','
  | '('
  | ')'
  | '<'
  | '>'
  | 'end';

interface Token {
  kind: TokenKind;
  text: string;
  position: number;
}

const SYMBOLS: TokenKind[] = ['==', '!=', '!', '=', ',', '(', ')', '<', '>'];
const WHITESPACE = /\s/;
const SPECIAL = /[\s!=,()<>]/;

function symbolAt(text: string, i: number): TokenKind | undefined {
  for (const s of SYMBOLS) {
    if (text.startsWith(s, i)) return s;
  }
  return undefined;
}

function lex(text: string, fail: (message: string) => never): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    if (WHITESPACE.test(text[i])) {
      i++;
      continue;
    }
    const symbol = symbolAt(text, i);
    if (symbol) {
      tokens.push({ kind: symbol, text: symbol, position: i });
      i += symbol.length;
      continue;
    }
    const start = i;
    while (i < text.length && !SPECIAL.test(text[i])) i++;
    if (i === start) fail(`unexpected character at position ${i}`);
    tokens.push({
      kind: 'identifier',
      text: text.slice(start, i),
      position: start,
    });
  }
  tokens.push({ kind: 'end', text: '', position: text.length });
  return tokens;
}

/**
 * Parses a label selector written in the Kubernetes selector syntax, such as
 * the value of the `backstage.io/kubernetes-label-selector` annotation, into
 * its structured form: `a=b` and `a==b` (`matchLabels`), `a!=b` (`NotIn`
 * with one value), `a in (x,y)`, `a notin (x)`, `a` (`Exists`) and `!a`
 * (`DoesNotExist`), separated by commas. Anything else (other operators,
 * invalid keys or values, an empty selector) is rejected with an
 * `InputError`, so that the selector reaches a query only re-written by
 * `buildLabelSelector`. `context` names where the text came from in error
 * messages, e.g.
 * `annotation backstage.io/kubernetes-label-selector of component:default/reviews`.
 *
 * @public
 */
export function parseLabelSelector(
  text: string,
  options: { context?: string } = {},
): LabelSelector {
  const where = options.context ? ` in ${options.context}` : '';
  const fail = (message: string): never => {
    throw new InputError(
      `Invalid label selector ${show(text)}${where}: ${message}`,
    );
  };
  if (typeof text !== 'string') fail('expected a string');

  const tokens = lex(text, fail);
  let next = 0;
  const peek = () => tokens[next];
  const take = () => tokens[next++];
  const describe = (t: Token) =>
    t.kind === 'end'
      ? 'end of text'
      : `${JSON.stringify(t.text)} at position ${t.position}`;
  const expect = (kind: TokenKind, what: string): Token => {
    const t = take();
    if (t.kind !== kind) fail(`expected ${what}, found ${describe(t)}`);
    return t;
  };

  const checkKey = (t: Token): string => {
    if (!isLabelKey(t.text)) {
      fail(`invalid key ${show(t.text)}: ${EXPECTED_LABEL_KEY}`);
    }
    return t.text;
  };
  const matchLabels = new Map<string, string>();
  const matchExpressions: NonNullable<LabelSelector['matchExpressions']> = [];

  if (peek().kind === 'end') {
    fail('it is empty, and an empty selector would match every object');
  }
  for (;;) {
    const first = take();
    if (first.kind === '!') {
      const key = checkKey(expect('identifier', 'a label key after "!"'));
      matchExpressions.push({ key, operator: 'DoesNotExist' });
    } else if (first.kind === 'identifier') {
      const key = checkKey(first);
      const op = peek();
      if (op.kind === ',' || op.kind === 'end') {
        matchExpressions.push({ key, operator: 'Exists' });
      } else if (op.kind === '=' || op.kind === '==' || op.kind === '!=') {
        take();
        const v = peek();
        let value = '';
        if (v.kind === 'identifier') {
          value = take().text;
        } else if (v.kind !== ',' && v.kind !== 'end') {
          fail(`expected a value after ${op.text}, found ${describe(v)}`);
        }
        if (op.kind === '!=') {
          if (value === '') {
            fail(`"${key}!=" with an empty value is not supported`);
          }
          matchExpressions.push({ key, operator: 'NotIn', values: [value] });
        } else if (matchLabels.has(key)) {
          matchExpressions.push({ key, operator: 'In', values: [value] });
        } else {
          matchLabels.set(key, value);
        }
      } else if (
        op.kind === 'identifier' &&
        (op.text === 'in' || op.text === 'notin')
      ) {
        take();
        expect('(', `"(" after ${op.text}`);
        const values: string[] = [];
        for (;;) {
          values.push(expect('identifier', 'a value').text);
          const sep = take();
          if (sep.kind === ')') break;
          if (sep.kind !== ',') {
            fail(`expected "," or ")", found ${describe(sep)}`);
          }
        }
        matchExpressions.push({
          key,
          operator: op.text === 'in' ? 'In' : 'NotIn',
          values,
        });
      } else if (op.kind === '<' || op.kind === '>') {
        fail(
          `the ${op.text} operator is not supported (only =, ==, !=, in, notin, exists and !)`,
        );
      } else {
        fail(
          `expected =, ==, !=, in, notin, "," or the end after key ${JSON.stringify(
            key,
          )}, found ${describe(op)}`,
        );
      }
    } else {
      fail(`expected a label key or "!", found ${describe(first)}`);
    }
    const sep = take();
    if (sep.kind === 'end') break;
    if (sep.kind !== ',') fail(`expected "," found ${describe(sep)}`);
    if (peek().kind === 'end') fail('it ends with ","');
  }

  const selector: LabelSelector = {};
  if (matchLabels.size > 0) {
    selector.matchLabels = Object.fromEntries(matchLabels);
  }
  if (matchExpressions.length > 0) selector.matchExpressions = matchExpressions;
  try {
    buildLabelSelector(selector);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  return selector;
}
