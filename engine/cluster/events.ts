/**
 * The event log, in Kubernetes' own words ("Scaled up replica set web-app-5d4f from 0 to 3", Killing,
 * Unhealthy, BackOff, …) with simulated timestamps. Bounded: past `limit` entries the oldest are kept
 * and later ones only counted (`dropped`), so memory never grows without bound.
 */
export interface ClusterEvent {
  /** Simulated seconds. */
  t: number;
  type: 'Normal' | 'Warning';
  reason: string;
  /** `kind/name`, lower-case kind as kubectl prints it: `deployment/web-app`, `pod/web-app-5d4f-x2b9c`. */
  object: string;
  message: string;
}

export class EventLog {
  readonly events: ClusterEvent[] = [];
  dropped = 0;
  private readonly listeners: Array<(e: ClusterEvent) => void> = [];

  constructor(
    private readonly clock: () => number,
    readonly limit = 100_000,
  ) {}

  record(type: ClusterEvent['type'], kind: string, name: string, reason: string, message: string): void {
    const e: ClusterEvent = { t: this.clock(), type, reason, object: `${kind.toLowerCase()}/${name}`, message };
    if (this.events.length < this.limit) this.events.push(e);
    else this.dropped++;
    for (const l of this.listeners) l(e);
  }

  normal(kind: string, name: string, reason: string, message: string): void {
    this.record('Normal', kind, name, reason, message);
  }

  warning(kind: string, name: string, reason: string, message: string): void {
    this.record('Warning', kind, name, reason, message);
  }

  /** Called for every event, including those past the limit (metrics use it for markers). */
  onEvent(listener: (e: ClusterEvent) => void): void {
    this.listeners.push(listener);
  }
}
