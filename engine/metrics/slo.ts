import { FAILURE_OUTCOMES, type FailureOutcome, type Outcome } from './outcomes.js';

/**
 * Service-level objectives as users write them (k6-like), e.g. `availability >= 99.9%`,
 * `p(99) < 300ms`, `p50 < 20ms`, `errors.refused == 0`, `error_rate < 0.1%`, `rollout.duration < 5m`.
 *
 *   slo    := metric op value
 *   metric := availability | error_rate | p(N) | pN | latency.(mean|min|max)
 *           | errors.(<failure outcome>|total) | requests.(total|ok|failed)
 *           | rollout.(duration|min_available|max_pods)
 *           | http_req_failed[.rate] | http_req_duration.(p(N)|avg|med|min|max)   (k6's names)
 *   op     := < | <= | > | >= | == | !=
 *   value  := number | number% | duration (250ms, 30s, 5m, 1h, 1m30s; units ns us µs ms s m h d)
 *
 * Thresholds are kept in natural units: fractions for availability and error_rate (`99.9%` → 0.999;
 * a bare number there must be ≤ 1), seconds for latencies and rollout.duration, plain numbers for
 * counts. A duration needs its unit: `p(95) < 200` is an error (k6 reads 200 as milliseconds, a
 * Kubernetes user as seconds — the SLO must say which). k6's metric names map one to one:
 * `http_req_failed` is error_rate, `http_req_duration.p(95)` is p(95), `.avg` latency.mean, `.med`
 * p(50), `.min`/`.max` latency.min/max. Decimal values convert exactly (`99.9%` is the double nearest
 * 0.999, `300ms` the double nearest 0.3), so boundaries compare as written.
 */

export type SloOperator = '<' | '<=' | '>' | '>=' | '==' | '!=';

export type SloMetric =
  | { kind: 'availability' }
  | { kind: 'error_rate' }
  | { kind: 'percentile'; p: number }
  | { kind: 'latency'; stat: 'mean' | 'min' | 'max' }
  | { kind: 'errors'; cause: FailureOutcome | 'total' }
  | { kind: 'requests'; which: 'total' | 'ok' | 'failed' }
  | { kind: 'rollout'; stat: 'duration' | 'min_available' | 'max_pods' };

/** A parsed SLO. */
export interface Slo {
  /** The expression as written, trimmed. */
  source: string;
  metric: SloMetric;
  op: SloOperator;
  /** Right-hand side in natural units: seconds, a fraction, or a count. */
  threshold: number;
  /** How the right-hand side was written. */
  unit: 'number' | 'percent' | 'duration';
}

/**
 * A parse error: `column` is 1-based in the text given to `parseSlo`; `problem` and `expected` are the
 * two halves of the message "<problem> at column <c>; expected <expected>".
 */
export class SloError extends Error {
  override name = 'SloError';
  constructor(
    readonly column: number,
    readonly problem: string,
    readonly expected: string,
  ) {
    super(`${problem} at column ${column}; expected ${expected}`);
  }
}

const METRIC_LIST =
  'one of availability, error_rate, p(N), pN, latency.mean, latency.min, latency.max, ' +
  'errors.<cause>, errors.total, requests.total, requests.ok, requests.failed, ' +
  'rollout.duration, rollout.min_available, rollout.max_pods, http_req_failed, http_req_duration.p(N)';

/** k6's aggregations of http_req_duration, as our latency metrics. */
const K6_DURATION: Record<string, SloMetric> = {
  avg: { kind: 'latency', stat: 'mean' },
  min: { kind: 'latency', stat: 'min' },
  max: { kind: 'latency', stat: 'max' },
  med: { kind: 'percentile', p: 50 },
};
const OPERATORS: readonly SloOperator[] = ['<=', '>=', '==', '!=', '<', '>'];
const OPERATOR_LIST = 'one of <, <=, >, >=, ==, !=';

type MetricKind = 'fraction' | 'duration' | 'count';

function kindOf(m: SloMetric): MetricKind {
  switch (m.kind) {
    case 'availability':
    case 'error_rate':
      return 'fraction';
    case 'percentile':
    case 'latency':
      return 'duration';
    case 'rollout':
      return m.stat === 'duration' ? 'duration' : 'count';
    default:
      return 'count';
  }
}

/** The unit of a metric's value: a fraction (availability), seconds (latency, durations) or a count. */
export function valueUnit(m: SloMetric): 'fraction' | 'seconds' | 'count' {
  const kind = kindOf(m);
  return kind === 'duration' ? 'seconds' : kind;
}

/** The canonical name of a metric (`p(99)`, `errors.refused`, …). */
export function metricName(m: SloMetric): string {
  switch (m.kind) {
    case 'availability':
    case 'error_rate':
      return m.kind;
    case 'percentile':
      return `p(${m.p})`;
    case 'latency':
      return `latency.${m.stat}`;
    case 'errors':
      return `errors.${m.cause}`;
    case 'requests':
      return `requests.${m.which}`;
    case 'rollout':
      return `rollout.${m.stat}`;
  }
}

const FIELDS: Record<string, { names: readonly string[]; make: (name: string) => SloMetric; what: string }> = {
  latency: { names: ['mean', 'min', 'max'], make: (s) => ({ kind: 'latency', stat: s as 'mean' }), what: 'latency statistic' },
  errors: {
    names: [...FAILURE_OUTCOMES, 'total'],
    make: (s) => ({ kind: 'errors', cause: s as FailureOutcome }),
    what: 'error cause',
  },
  requests: { names: ['total', 'ok', 'failed'], make: (s) => ({ kind: 'requests', which: s as 'total' }), what: 'request count' },
  rollout: {
    names: ['duration', 'min_available', 'max_pods'],
    make: (s) => ({ kind: 'rollout', stat: s as 'duration' }),
    what: 'rollout statistic',
  },
};

const NUMBER = /(\d+)(?:\.(\d+))?|\.(\d+)/y;
const DURATION_UNIT = /(ns|us|\u00b5s|ms|s|m|h|d)(?![A-Za-z])/y; // \u00b5: µ (keeps the bundle ASCII, which Node decodes faster)
const WORD = /[A-Za-z0-9_.]+/y;
const SPACE = /\s*/y;

/** Sub-second units as powers of ten to divide by; the others as multipliers. */
const UNIT_DIV: Record<string, number> = { ns: 9, us: 6, µs: 6, ms: 3, s: 0 };
const UNIT_MUL: Record<string, number> = { m: 60, h: 3600, d: 86400 };

/** Parses an SLO expression; throws `SloError` pointing at the problem. */
export function parseSlo(text: string): Slo {
  let pos = 0;
  const col = (): number => pos + 1;
  const skipSpace = (): void => {
    SPACE.lastIndex = pos;
    SPACE.exec(text);
    pos = SPACE.lastIndex;
  };
  const rest = (): string => {
    const m = /\S+/y;
    m.lastIndex = pos;
    return m.exec(text)?.[0] ?? '';
  };

  skipSpace();
  if (pos >= text.length) throw new SloError(col(), 'empty SLO', `an expression like "p(99) < 300ms"`);

  // metric
  const metricStart = pos;
  let metric: SloMetric;
  const k6Duration = 'http_req_duration.';
  if (text.startsWith(k6Duration, pos) && text.startsWith('p(', pos + k6Duration.length)) pos += k6Duration.length; // k6: http_req_duration.p(95)
  if (text.startsWith('p(', pos)) {
    pos += 2;
    skipSpace();
    const p = readPercentile();
    skipSpace();
    if (text[pos] !== ')') throw new SloError(col(), found('after the percentile'), '")"');
    pos++;
    metric = { kind: 'percentile', p };
  } else {
    WORD.lastIndex = pos;
    const word = WORD.exec(text)?.[0];
    if (word === undefined) throw new SloError(col(), unexpected(), METRIC_LIST);
    const short = /^p(\d+(?:\.\d+)?)$/.exec(word);
    const dot = word.indexOf('.');
    const group = dot > 0 ? FIELDS[word.slice(0, dot)] : undefined;
    if (word === 'availability' || word === 'error_rate') {
      metric = { kind: word };
    } else if (word === 'http_req_failed' || word === 'http_req_failed.rate') {
      metric = { kind: 'error_rate' };
    } else if (word.startsWith(k6Duration)) {
      const agg = word.slice(k6Duration.length);
      const pct = /^p(\d+(?:\.\d+)?)$/.exec(agg);
      const m = Object.prototype.hasOwnProperty.call(K6_DURATION, agg) ? K6_DURATION[agg] : pct !== null ? { kind: 'percentile' as const, p: Number(pct[1]) } : undefined;
      if (m === undefined || (m.kind === 'percentile' && !(m.p > 0 && m.p <= 100))) {
        pos += k6Duration.length;
        throw new SloError(col(), `unknown http_req_duration aggregation "${agg}"`, 'one of p(N), avg, med, min, max');
      }
      metric = m;
    } else if (short !== null) {
      pos++; // past "p"
      metric = { kind: 'percentile', p: readPercentile() };
    } else if (group !== undefined && Object.prototype.hasOwnProperty.call(FIELDS, word.slice(0, dot))) {
      const field = word.slice(dot + 1);
      if (!group.names.includes(field)) {
        pos += dot + 1;
        throw new SloError(col(), `unknown ${group.what} "${field}"`, `one of ${group.names.join(', ')}`);
      }
      metric = group.make(field);
    } else {
      throw new SloError(col(), `unknown metric "${word}"`, METRIC_LIST);
    }
    pos = metricStart + word.length;
  }

  // operator
  skipSpace();
  const op = OPERATORS.find((o) => text.startsWith(o, pos));
  if (op === undefined) {
    if (pos >= text.length) throw new SloError(col(), `missing comparison after ${metricName(metric)}`, OPERATOR_LIST);
    const hint = text[pos] === '=' ? ' (use == for equality)' : '';
    throw new SloError(col(), `${unexpected()}${hint}`, OPERATOR_LIST);
  }
  pos += op.length;

  // value
  skipSpace();
  const valueStart = pos;
  const kind = kindOf(metric);
  const name = metricName(metric);
  const expectedValue =
    kind === 'fraction'
      ? 'a percentage like 99.9% or a fraction like 0.999'
      : kind === 'duration'
        ? 'a duration like 300ms, 2s or 5m'
        : 'a number like 10';
  if (pos >= text.length) throw new SloError(col(), `missing value after "${op}"`, expectedValue);
  const first = readNumber();
  if (first === undefined) throw new SloError(col(), unexpected(), expectedValue);
  let threshold: number;
  let unit: Slo['unit'];
  if (text[pos] === '%') {
    pos++;
    if (kind !== 'fraction') throw new SloError(valueStart + 1, `a percentage does not apply to ${name}`, expectedValue);
    threshold = first.mantissa / 10 ** (first.decimals + 2);
    unit = 'percent';
    if (threshold > 1) throw new SloError(valueStart + 1, `${text.slice(valueStart, pos)} is above 100%`, expectedValue);
  } else if (atDurationUnit()) {
    if (kind !== 'duration') throw new SloError(valueStart + 1, `a duration does not apply to ${name}`, expectedValue);
    threshold = readDuration(first);
    unit = 'duration';
  } else if (/[A-Za-z]/.test(text[pos] ?? '')) {
    const u = /[A-Za-z]+/y;
    u.lastIndex = pos;
    throw new SloError(col(), `unknown unit "${u.exec(text)?.[0]}"`, expectedValue);
  } else {
    if (kind === 'duration') {
      throw new SloError(valueStart + 1, `${first.text} has no unit`, `a duration with its unit: give a unit, e.g. ${first.text}ms or ${first.text}s`);
    }
    threshold = first.value;
    unit = 'number';
    if (kind === 'fraction' && threshold > 1) {
      throw new SloError(valueStart + 1, `${name} is a fraction and ${first.text} is above 1`, `${first.text}% or a fraction ≤ 1`);
    }
  }

  skipSpace();
  if (pos < text.length) throw new SloError(col(), unexpected(), 'the end of the expression');
  return { source: text.trim(), metric, op, threshold, unit };

  function found(where: string): string {
    return pos >= text.length ? `missing ")" ${where}` : `unexpected "${text[pos]}" ${where}`;
  }

  function unexpected(): string {
    return pos >= text.length ? 'unexpected end' : `unexpected "${rest()}"`;
  }

  function atDurationUnit(): boolean {
    DURATION_UNIT.lastIndex = pos;
    return DURATION_UNIT.test(text);
  }

  function readNumber(): { mantissa: number; decimals: number; value: number; text: string } | undefined {
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (m === null) return undefined;
    pos = NUMBER.lastIndex;
    const whole = m[1] ?? '';
    const frac = m[2] ?? m[3] ?? '';
    return { mantissa: Number(whole + frac), decimals: frac.length, value: Number(m[0]), text: m[0] };
  }

  function readPercentile(): number {
    const start = pos;
    const n = readNumber();
    if (n === undefined) throw new SloError(col(), unexpected(), 'a percentile from 0 to 100');
    if (n.value > 100) throw new SloError(start + 1, `percentile ${n.text} is out of range`, 'a percentile from 0 to 100');
    return n.value;
  }

  function readDuration(firstPart: { mantissa: number; decimals: number }): number {
    let total = 0;
    let part: { mantissa: number; decimals: number } | undefined = firstPart;
    for (;;) {
      DURATION_UNIT.lastIndex = pos;
      const u = DURATION_UNIT.exec(text);
      if (u === null) throw new SloError(col(), `missing unit after a number in a duration`, 'a unit: ns, us, ms, s, m, h or d');
      pos = DURATION_UNIT.lastIndex;
      const unitName = u[1]!;
      const div = UNIT_DIV[unitName];
      total +=
        div !== undefined
          ? part.mantissa / 10 ** (part.decimals + div)
          : (part.mantissa * UNIT_MUL[unitName]!) / 10 ** part.decimals;
      part = readNumber();
      if (part === undefined) return total;
    }
  }
}

/** Rollout figures for SLOs; how several rollouts combine is the caller's choice (see `rolloutStatsOf`). */
export interface RolloutStats {
  /** Seconds from start to completion; null if a rollout did not complete. */
  duration: number | null;
  /** Fewest available pods while rolling out. */
  minAvailable: number;
  /** Most pods (terminating included) while rolling out. */
  maxPods: number;
}

/**
 * Combines per-rollout records into one `RolloutStats` (undefined if there were none): the longest
 * duration (null if any rollout did not complete), the lowest min available, the highest max pods.
 */
export function rolloutStatsOf(
  records: readonly { durationS: number | null; minAvailable: number; maxPods: number }[],
): RolloutStats | undefined {
  if (records.length === 0) return undefined;
  let duration: number | null = 0;
  let minAvailable = Infinity;
  let maxPods = -Infinity;
  for (const r of records) {
    duration = duration === null || r.durationS === null ? null : Math.max(duration, r.durationS);
    minAvailable = Math.min(minAvailable, r.minAvailable);
    maxPods = Math.max(maxPods, r.maxPods);
  }
  return { duration, minAvailable, maxPods };
}

/** What SLOs are evaluated against: one run's figures, or merged ones. Latencies in seconds. */
export interface MetricsSnapshot {
  requests: { total: number; ok: number; failed: number; byOutcome: Readonly<Record<Outcome, number>> };
  /** ok / total; null when there were no requests. */
  availability: number | null;
  /** Over ok requests; null statistics when none succeeded. */
  latency: {
    count: number;
    mean: number | null;
    min: number | null;
    max: number | null;
    percentile(p: number): number | null;
  };
  /** Absent when no rollout happened. */
  rollout?: RolloutStats | undefined;
}

/** The verdict on one SLO. `value` is in natural units (seconds, fraction, count); null with a reason. */
export interface SloResult {
  expr: string;
  pass: boolean;
  value: number | null;
  threshold: number;
  reason?: string;
}

/** Evaluates an SLO (parsed, or text parsed here, which may throw `SloError`). */
export function evaluateSlo(slo: Slo | string, snapshot: MetricsSnapshot): SloResult {
  const s = typeof slo === 'string' ? parseSlo(slo) : slo;
  const [value, reason] = measure(s.metric, snapshot);
  const base = { expr: s.source, threshold: s.threshold };
  if (value === null) return { ...base, pass: false, value: null, reason };
  return { ...base, pass: compare(value, s.op, s.threshold), value };
}

/** Evaluates SLOs in order. */
export function evaluateSlos(slos: readonly (Slo | string)[], snapshot: MetricsSnapshot): SloResult[] {
  return slos.map((s) => evaluateSlo(s, snapshot));
}

function compare(a: number, op: SloOperator, b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '==':
      return a === b;
    case '!=':
      return a !== b;
  }
}

const NO_REQUESTS = 'no requests were made';

function measure(m: SloMetric, s: MetricsSnapshot): [number, undefined] | [null, string] {
  const noLatency = 'no request succeeded, so there is no latency';
  const r = s.requests;
  switch (m.kind) {
    case 'availability':
      return s.availability === null ? [null, NO_REQUESTS] : [s.availability, undefined];
    case 'error_rate':
      return r.total === 0 ? [null, NO_REQUESTS] : [r.failed / r.total, undefined];
    case 'percentile': {
      const v = s.latency.percentile(m.p);
      return v === null ? [null, noLatency] : [v, undefined];
    }
    case 'latency': {
      const v = s.latency[m.stat];
      return v === null ? [null, noLatency] : [v, undefined];
    }
    case 'errors':
      return [m.cause === 'total' ? r.failed : r.byOutcome[m.cause], undefined];
    case 'requests':
      return [r[m.which], undefined];
    case 'rollout': {
      const ro = s.rollout;
      if (ro === undefined) return [null, 'no rollout happened in this run'];
      if (m.stat === 'duration') return ro.duration === null ? [null, 'the rollout did not complete'] : [ro.duration, undefined];
      return [m.stat === 'min_available' ? ro.minAvailable : ro.maxPods, undefined];
    }
  }
}
