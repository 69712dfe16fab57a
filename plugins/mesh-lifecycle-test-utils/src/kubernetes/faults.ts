import { JsonObject } from './json';

/**
 * A fault injected on matching requests.
 *
 * @public
 */
export interface FaultSpec {
  /** HTTP method to match (any when omitted). */
  method?: string;
  /** URL path to match: exact string, or a RegExp tested against the path. */
  path: string | RegExp;
  /** Delay before the request is handled (or before the fault's answer). */
  latencyMs?: number;
  /** Answer with this HTTP status instead of handling the request. */
  status?: number;
  /** Body of that answer; a Status object matching `status` by default. */
  statusBody?: JsonObject;
  /** Destroy the socket without answering. */
  reset?: boolean;
  /** For watch requests: open the stream but never send anything. */
  stallWatch?: boolean;
  /** Only apply to the next N matching requests. */
  times?: number;
}

/**
 * A fault that is installed; `remove()` uninstalls it.
 *
 * @public
 */
export interface FaultHandle {
  /** The spec it was added with. */
  readonly spec: FaultSpec;
  /** How many requests it has matched so far. */
  readonly hits: number;
  /** Uninstalls the fault. */
  remove(): void;
}

interface InstalledFault extends FaultHandle {
  hits: number;
}

/**
 * The per-route fault injection table of an emulator.
 *
 * @public
 */
export class FaultInjector {
  private faults: InstalledFault[] = [];

  /** Installs a fault; the newest matching fault wins. */
  add(spec: FaultSpec): FaultHandle {
    const fault: InstalledFault = {
      spec,
      hits: 0,
      remove: () => {
        this.faults = this.faults.filter(f => f !== fault);
      },
    };
    this.faults.push(fault);
    return fault;
  }

  /** Removes every fault. */
  clear(): void {
    this.faults = [];
  }

  /**
   * Finds the fault for a request and counts the hit (a fault whose `times`
   * are used up is removed). Returns undefined when no fault applies.
   */
  take(method: string, path: string, isWatch: boolean): FaultSpec | undefined {
    for (let i = this.faults.length - 1; i >= 0; i--) {
      const fault = this.faults[i];
      const { spec } = fault;
      if (spec.method && spec.method.toUpperCase() !== method) continue;
      const pathMatches =
        typeof spec.path === 'string'
          ? spec.path === path
          : spec.path.test(path);
      if (!pathMatches || (spec.stallWatch && !isWatch)) continue;
      fault.hits += 1;
      if (spec.times !== undefined && fault.hits >= spec.times) {
        fault.remove();
      }
      return spec;
    }
    return undefined;
  }
}
