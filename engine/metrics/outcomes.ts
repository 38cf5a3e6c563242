/**
 * The outcome vocabulary: every request ends in exactly one of these (see DESIGN.md, Traffic).
 * The hot path uses the small integer index (`OUTCOME_INDEX[name]`); reports use the names, always in
 * this order.
 */
export const OUTCOMES = ['ok', 'no_endpoints', 'refused', 'reset', 'timeout', 'overload', 'app_error'] as const;

/** An outcome name. */
export type Outcome = (typeof OUTCOMES)[number];

/** A failure cause: any outcome but `ok`. */
export type FailureOutcome = Exclude<Outcome, 'ok'>;

/** The failure causes, in vocabulary order. */
export const FAILURE_OUTCOMES: readonly FailureOutcome[] = OUTCOMES.filter((o): o is FailureOutcome => o !== 'ok');

/** Name → index into `OUTCOMES`. `OUTCOME_INDEX.ok` is 0. */
export const OUTCOME_INDEX: Readonly<Record<Outcome, number>> = Object.freeze(
  Object.fromEntries(OUTCOMES.map((o, i) => [o, i])) as Record<Outcome, number>,
);

/** Number of outcomes (the width of per-outcome counter arrays). */
export const OUTCOME_COUNT = OUTCOMES.length;

/** Index of `ok`. */
export const OK = 0;

/** Whether `name` is an outcome name. */
export function isOutcome(name: string): name is Outcome {
  return Object.prototype.hasOwnProperty.call(OUTCOME_INDEX, name);
}

/** A record with every outcome as a key, each set to `init`. */
export function outcomeRecord<T>(init: (o: Outcome, i: number) => T): Record<Outcome, T> {
  const r = {} as Record<Outcome, T>;
  OUTCOMES.forEach((o, i) => (r[o] = init(o, i)));
  return r;
}
