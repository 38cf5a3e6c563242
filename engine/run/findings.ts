import type { Outcome } from '../metrics/outcomes.js';

/** See the report's FindingCause. */
export type FindingCause = 'termination_race' | 'killed_in_flight' | 'crash' | 'no_endpoints' | 'bad_version' | 'node_failure' | 'capacity' | 'other';

/** What caused some of a run's failed requests (times in seconds). */
export interface Finding {
  cause: FindingCause;
  outcome: Outcome;
  count: number;
  from: number;
  to: number;
  trigger: { at: number; action: string; target: string } | null;
  subjects: string[];
  message: string;
  fix: string | null;
  evidence: Record<string, number>;
}

/** A finding over the runs of a variant. */
export interface FindingAggregate extends Finding {
  runs: number;
  perRun: number;
}

/** Findings of a variant's runs combined (placeholder until attribution lands). */
export function summarizeFindings(runs: readonly { findings: readonly Finding[] }[]): FindingAggregate[] {
  void runs;
  return [];
}
