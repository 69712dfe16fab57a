import { JsonObject, getPath, isJsonObject, objectField } from './json';
import { badRequest } from './status';

/** One requirement of a label selector. */
export type LabelRequirement =
  | { key: string; operator: 'exists' | 'notexists' }
  | { key: string; operator: 'in' | 'notin'; values: string[] };

/** One requirement of a field selector. */
export interface FieldRequirement {
  /** Dotted path, e.g. `metadata.name`. */
  field: string;
  operator: '=' | '!=';
  value: string;
}

const NAME = '[A-Za-z0-9][-A-Za-z0-9_./]*';
const VALUE = '[-A-Za-z0-9_.]*';
const EXISTS = new RegExp(`^(${NAME})$`);
const NOT_EXISTS = new RegExp(`^!\\s*(${NAME})$`);
const EQUALITY = new RegExp(`^(${NAME})\\s*(==|=|!=)\\s*(${VALUE})$`);
const SET = new RegExp(`^(${NAME})\\s+(in|notin)\\s*\\(([^)]*)\\)$`);

/** Splits on commas that are not inside parentheses. */
function splitRequirements(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of selector) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts.map(p => p.trim()).filter(p => p !== '');
}

/** Parses a label selector string (`a=b,c!=d,e in (f,g),!h`); throws a 400 Status when malformed. */
export function parseLabelSelector(selector: string): LabelRequirement[] {
  return splitRequirements(selector).map(text => {
    let match = NOT_EXISTS.exec(text);
    if (match) {
      return { key: match[1], operator: 'notexists' };
    }
    match = EXISTS.exec(text);
    if (match) {
      return { key: match[1], operator: 'exists' };
    }
    match = EQUALITY.exec(text);
    if (match) {
      return {
        key: match[1],
        operator: match[2] === '!=' ? 'notin' : 'in',
        values: [match[3]],
      };
    }
    match = SET.exec(text);
    if (match) {
      const values = match[3]
        .split(',')
        .map(v => v.trim())
        .filter(v => v !== '');
      return {
        key: match[1],
        operator: match[2] === 'in' ? 'in' : 'notin',
        values,
      };
    }
    throw badRequest(
      `unable to parse requirement: found '${text}', expected: label selector requirement`,
    );
  });
}

/** Whether a set of labels satisfies every requirement. */
export function matchesLabels(
  requirements: readonly LabelRequirement[],
  labels: Readonly<Record<string, unknown>>,
): boolean {
  return requirements.every(req => {
    const value = labels[req.key];
    const present = typeof value === 'string';
    switch (req.operator) {
      case 'exists':
        return present;
      case 'notexists':
        return !present;
      case 'in':
        return present && req.values.includes(value);
      default:
        return !present || !req.values.includes(value);
    }
  });
}

/** Parses a field selector (`metadata.name=x,metadata.namespace!=y`); throws a 400 Status when malformed. */
export function parseFieldSelector(selector: string): FieldRequirement[] {
  return splitRequirements(selector).map(text => {
    const match = /^([A-Za-z0-9.]+)\s*(==|=|!=)\s*(.*)$/.exec(text);
    if (!match) {
      throw badRequest(
        `invalid selector: '${selector}'; can't understand '${text}'`,
      );
    }
    return {
      field: match[1],
      operator: match[2] === '!=' ? '!=' : '=',
      value: match[3],
    };
  });
}

/** Whether an object satisfies every field requirement (missing fields read as `''`). */
export function matchesFields(
  requirements: readonly FieldRequirement[],
  obj: JsonObject,
): boolean {
  return requirements.every(req => {
    const raw = getPath(obj, req.field.split('.'));
    const value = raw === undefined || raw === null ? '' : String(raw);
    return req.operator === '=' ? value === req.value : value !== req.value;
  });
}

/** Renders a `metav1.LabelSelector` object (matchLabels/matchExpressions) as a selector string. */
export function labelSelectorToString(
  selector: JsonObject | undefined,
): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(
    objectField(selector, 'matchLabels') ?? {},
  )) {
    parts.push(`${key}=${String(value)}`);
  }
  const expressions = selector?.matchExpressions;
  for (const expr of Array.isArray(expressions) ? expressions : []) {
    if (!isJsonObject(expr)) continue;
    const values = Array.isArray(expr.values)
      ? expr.values.map(String).join(',')
      : '';
    const key = String(expr.key);
    switch (expr.operator) {
      case 'In':
        parts.push(`${key} in (${values})`);
        break;
      case 'NotIn':
        parts.push(`${key} notin (${values})`);
        break;
      case 'Exists':
        parts.push(key);
        break;
      case 'DoesNotExist':
        parts.push(`!${key}`);
        break;
      default:
        break;
    }
  }
  return parts.join(',');
}
