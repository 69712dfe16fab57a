import { misplacedApiPath } from '@mesh-lifecycle/plugin-mesh-lifecycle-node';
import { z } from 'zod';
import { fetchUpstream, shownUrl } from './fetchUpstream';

/** An Alertmanager the plugin asks, as configured. */
export interface AlertmanagerSource {
  /** Names the source in answers and errors, e.g. `alertmanager:prod`. */
  name: string;
  /** Base URL, without `/api/v2`. */
  url: string;
  headers?: Record<string, string>;
  bearerToken?: string;
  timeoutMs: number;
}

const silenceMatcher = z.object({
  name: z.string(),
  value: z.string(),
  isRegex: z.boolean(),
  // Absent in answers of Alertmanagers older than 0.22, which only knew `=`.
  isEqual: z.boolean().default(true),
});

const silences = z.array(
  z.object({
    id: z.string(),
    status: z.object({ state: z.enum(['active', 'pending', 'expired']) }),
    matchers: z.array(silenceMatcher),
    startsAt: z.string(),
    endsAt: z.string(),
    updatedAt: z.string().optional(),
    createdBy: z.string(),
    comment: z.string(),
  }),
);

/** A silence, as `GET /api/v2/silences` answers it. */
export type AlertmanagerSilence = z.infer<typeof silences>[number];
/** One matcher of a silence. */
export type AlertmanagerSilenceMatcher =
  AlertmanagerSilence['matchers'][number];

/** A failed call to one Alertmanager; the message never holds credentials. */
export class AlertmanagerError extends Error {
  readonly source: string;

  constructor(source: string, message: string) {
    super(`Alertmanager ${source}: ${message}`);
    this.name = 'AlertmanagerError';
    this.source = source;
  }
}

/** Go's `(?i)` and similar leading flag groups, which JavaScript lacks. */
const LEADING_FLAGS = /^\(\?([ims]+)\)/;

function anchoredRegex(pattern: string): RegExp | undefined {
  const flags = LEADING_FLAGS.exec(pattern);
  const body = flags ? pattern.slice(flags[0].length) : pattern;
  try {
    return new RegExp(
      `^(?:${body})$`,
      `u${flags ? flags[1].replace('m', '') : ''}`,
    );
  } catch {
    return undefined;
  }
}

/**
 * Whether a silence matcher matches a label set, as Alertmanager decides it:
 * a missing label is the empty string, `=`/`!=` compare the value, `=~`/`!~`
 * match the whole value against the regular expression (anchored at both
 * ends). A regular expression JavaScript cannot compile matches nothing.
 */
export function silenceMatcherMatches(
  matcher: AlertmanagerSilenceMatcher,
  labels: Record<string, string>,
): boolean {
  const value = labels[matcher.name] ?? '';
  let equal: boolean;
  if (matcher.isRegex) {
    const regex = anchoredRegex(matcher.value);
    if (!regex) return false;
    equal = regex.test(value);
  } else {
    equal = value === matcher.value;
  }
  return matcher.isEqual ? equal : !equal;
}

/** Whether every matcher of a silence matches the label set. */
export function silenceMatches(
  silence: Pick<AlertmanagerSilence, 'matchers'>,
  labels: Record<string, string>,
): boolean {
  return silence.matchers.every(matcher =>
    silenceMatcherMatches(matcher, labels),
  );
}

/**
 * Asks one Alertmanager over its v2 HTTP API: every call has a timeout and
 * every answer is parsed before use.
 */
export class AlertmanagerClient {
  private readonly source: AlertmanagerSource;

  constructor(options: { source: AlertmanagerSource }) {
    this.source = options.source;
  }

  /** The source's name. */
  get name(): string {
    return this.source.name;
  }

  /** All silences the Alertmanager knows (active, pending and expired). */
  async silences(): Promise<AlertmanagerSilence[]> {
    const url = new URL(
      'api/v2/silences',
      this.source.url.endsWith('/') ? this.source.url : `${this.source.url}/`,
    );
    const body = await this.fetchJson(url);
    const parsed = silences.safeParse(body);
    if (!parsed.success) {
      const [issue] = parsed.error.issues;
      throw new AlertmanagerError(
        this.source.name,
        `unexpected answer to ${url.pathname}: ${issue?.path.join('.')} ${
          issue?.message
        }`,
      );
    }
    return parsed.data;
  }

  private async fetchJson(url: URL): Promise<unknown> {
    const { status, ok, text, contentType } = await fetchUpstream(
      url,
      this.source,
      reason => new AlertmanagerError(this.source.name, reason),
    );
    const misplaced = misplacedApiPath(this.source.url, 'alertmanager');
    if (!ok) {
      throw new AlertmanagerError(
        this.source.name,
        misplaced
          ? `HTTP ${status} from ${shownUrl(
              url,
            )} — the configured url ends in ${
              misplaced.suffix
            }; configure the base URL (${misplaced.baseUrl})`
          : `HTTP ${status} from ${url.pathname}`,
      );
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new AlertmanagerError(
        this.source.name,
        `HTTP ${status} (${contentType ?? 'no content type'}) from ${shownUrl(
          url,
        )}, not an Alertmanager answer${
          contentType === 'text/html'
            ? ' — a login page or a proxy in front of it?'
            : ''
        }`,
      );
    }
  }
}
