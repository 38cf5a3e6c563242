import type { RolloutRecord } from '../cluster/rollouts.js';
import type { FailureWindow } from '../metrics/failures.js';
import type { Outcome } from '../metrics/outcomes.js';
import type { PodFacts } from './podfacts.js';

/**
 * Findings: every failed request of a run attributed to what caused it, from what the run measured —
 * the failure windows per pod and outcome (metrics/failures.ts), each pod's termination, exit and
 * kube-proxy removal times (podfacts.ts), the timeline actions as they fired and the rollouts.
 *
 * Contract:
 * - Every failed request is in exactly one finding (each failure window goes to one finding), so the
 *   counts of a run's findings add up to its failed requests.
 * - A finding states only measured figures (counts, windows, delays) and the configuration they came
 *   from; a `fix` is given only where the model itself decides the outcome (a preStop sleep longer
 *   than the measured removal delay keeps the container listening until kube-proxy stops routing).
 */

/** See the report's FindingCause. */
export type FindingCause = 'termination_race' | 'killed_in_flight' | 'crash' | 'no_endpoints' | 'bad_version' | 'node_failure' | 'capacity' | 'other';

export interface FindingTrigger {
  at: number;
  action: string;
  target: string;
  /** What the action did (victim pods, image, node), as in the run's action record. */
  detail: string;
}

/** What caused some of a run's failed requests (times in seconds). */
export interface Finding {
  cause: FindingCause;
  outcome: Outcome;
  count: number;
  from: number;
  to: number;
  trigger: FindingTrigger | null;
  subjects: string[];
  /** The Deployments owning the pods involved (`deployment/<name>`), for wording over several runs. */
  owners: string[];
  message: string;
  fix: string | null;
  evidence: Record<string, number>;
}

/** A finding over the runs of a variant. */
export interface FindingAggregate extends Finding {
  runs: number;
  perRun: number;
}

/** A timeline action as it fired (see simulate.ts ActionRecord). */
export interface FiredAction {
  at: number;
  action: string;
  target: string;
  detail: string;
  outcome: 'done' | 'refused';
}

export interface FindingInput {
  windows: readonly FailureWindow[];
  pods: readonly PodFacts[];
  /** Traffic entries by client index, with the Service (`namespace/name`) each sends to. */
  clients: readonly { name: string; service: string }[];
  actions: readonly FiredAction[];
  rollouts: readonly RolloutRecord[];
  /** `deployment/<name>` → strategy type. */
  strategies: Readonly<Record<string, string>>;
  /** Image → the behaviour profile's error rate. */
  errorRates: Readonly<Record<string, number>>;
  /** Requests routed to pod index `pod` over the run. */
  served: (pod: number) => number;
  /** Requests that ended per bucket and the bucket width, for load figures (optional). */
  series?: { interval: number; requests: readonly number[]; gauges: Readonly<Record<string, readonly (number | null)[]>> };
}

/** Most subjects named in a finding. */
export const MAX_SUBJECTS = 5;
/** Failures this close (s) after a pod event still count as caused by it (event and failure share an instant up to rounding). */
const EPS = 1e-6;

interface Group {
  cause: FindingCause;
  outcome: Outcome;
  trigger: FindingTrigger | null;
  /** Image, node or Service the group is about (bad_version, node_failure, no_endpoints). */
  about: string;
  windows: FailureWindow[];
  pods: Map<number, PodFacts>;
}

/** Attributes every failure window of a run to a finding; findings sorted by start, then cause. */
export function findCauses(input: FindingInput): Finding[] {
  const pods = new Map(input.pods.map((p) => [p.index, p]));
  const groups = new Map<string, Group>();
  const add = (cause: FindingCause, w: FailureWindow, trigger: FindingTrigger | null, about: string, pod?: PodFacts) => {
    const key = [cause, w.outcome, about, trigger === null ? '' : `${trigger.action}|${trigger.target}|${trigger.at}`].join('\u0000');
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { cause, outcome: w.outcome, trigger, about, windows: [], pods: new Map() }));
    g.windows.push(w);
    if (pod !== undefined) g.pods.set(pod.index, pod);
  };
  for (const w of input.windows) {
    const pod = w.pod >= 0 ? pods.get(w.pod) : undefined;
    if (pod === undefined) {
      const service = input.clients[w.client]?.service ?? '';
      if (w.outcome === 'no_endpoints') add('no_endpoints', w, triggerAround(input, w.from, null), service);
      else add(w.outcome === 'overload' || w.outcome === 'timeout' ? 'capacity' : 'other', w, triggerAround(input, w.from, null), '');
      continue;
    }
    switch (w.outcome) {
      case 'refused':
        if (pod.stoppingAt !== null && pod.stoppedListeningAt !== null && w.from + EPS >= pod.stoppedListeningAt && pod.stoppedListeningAt + EPS >= pod.stoppingAt) {
          // routed to as a serving terminating endpoint because none was ready (§5 fallback), or the race proper
          const fallback = pod.fallbackAt !== null && pod.fallbackAt + EPS >= pod.stoppingAt;
          add('termination_race', w, triggerOfPod(input, pod), fallback ? 'fallback' : '', pod);
        } else if (pod.ended !== null && pod.endedAt !== null && w.from + EPS >= pod.endedAt) {
          add('crash', w, pod.ended === 'crashed' ? null : triggerOfPod(input, pod), '', pod);
        } else add('other', w, null, '', pod);
        break;
      case 'reset':
        if (pod.nodeDownAt !== null && w.from + EPS >= pod.nodeDownAt) add('node_failure', w, nodeTrigger(input, pod), pod.node ?? '', pod);
        else if (pod.ended !== null) add('killed_in_flight', w, pod.ended === 'crashed' ? null : triggerOfPod(input, pod), pod.ended, pod);
        else add('other', w, null, '', pod);
        break;
      case 'timeout':
        if (pod.nodeDownAt !== null && w.from + EPS >= pod.nodeDownAt) add('node_failure', w, nodeTrigger(input, pod), pod.node ?? '', pod);
        else add('capacity', w, triggerAround(input, w.from, pod), '', pod);
        break;
      case 'overload':
        add('capacity', w, triggerAround(input, w.from, pod), '', pod);
        break;
      case 'app_error':
        add('bad_version', w, imageTrigger(input, pod.image, w.from), pod.image, pod);
        break;
      case 'no_endpoints':
        add('no_endpoints', w, triggerAround(input, w.from, null), input.clients[w.client]?.service ?? '', pod);
        break;
    }
  }
  const findings: Finding[] = [];
  for (const g of groups.values()) {
    // Untriggered capacity and other failures split into episodes: separate bursts are separate findings.
    const parts = g.trigger === null && (g.cause === 'capacity' || g.cause === 'other') ? episodes(g.windows) : [g.windows];
    for (const windows of parts) findings.push(finding(g, windows, input));
  }
  return findings.sort((a, b) => a.from - b.from || a.cause.localeCompare(b.cause) || a.outcome.localeCompare(b.outcome) || a.message.localeCompare(b.message));
}

/** Windows grouped into bursts separated by more than 30 s. */
function episodes(windows: FailureWindow[]): FailureWindow[][] {
  const sorted = [...windows].sort((a, b) => a.from - b.from);
  const out: FailureWindow[][] = [];
  let end = -Infinity;
  for (const w of sorted) {
    if (w.from - end > 30) out.push([]);
    out[out.length - 1]!.push(w);
    end = Math.max(end, w.to);
  }
  return out;
}

function finding(g: Group, windows: FailureWindow[], input: FindingInput): Finding {
  const count = windows.reduce((n, w) => n + w.count, 0);
  const from = Math.min(...windows.map((w) => w.from));
  const to = Math.max(...windows.map((w) => w.to));
  const podsHere = [...new Set(windows.map((w) => w.pod))].map((i) => g.pods.get(i)).filter((p): p is PodFacts => p !== undefined);
  const evidence: Record<string, number> = {};
  const maxOf = (xs: (number | null)[]) => {
    const v = xs.filter((x): x is number => x !== null);
    return v.length === 0 ? null : Math.max(...v);
  };
  let subjects: string[] = podsHere.map((p) => p.name);
  switch (g.cause) {
    case 'termination_race': {
      const afterStop = maxOf(podsHere.map((p) => (p.removedAt !== null && p.stoppingAt !== null && p.removedAt >= p.stoppingAt ? p.removedAt - p.stoppingAt : null)));
      const afterSigterm = maxOf(podsHere.map((p) => (p.removedAt !== null && p.sigtermAt !== null && p.removedAt >= p.sigtermAt ? p.removedAt - p.sigtermAt : null)));
      if (afterStop !== null) evidence.maxRemovalAfterTerminationS = afterStop;
      if (afterSigterm !== null) evidence.maxRemovalAfterSigtermS = afterSigterm;
      evidence.preStopS = maxOf(podsHere.map((p) => p.preStop)) ?? 0;
      evidence.gracePeriodS = maxOf(podsHere.map((p) => p.grace)) ?? 0;
      evidence.pods = podsHere.length;
      if (g.about === 'fallback') evidence.fallback = 1;
      evidence.podsNotRemoved = podsHere.filter((p) => p.removedAt === null || (p.stoppingAt !== null && p.removedAt < p.stoppingAt)).length;
      break;
    }
    case 'killed_in_flight':
    case 'crash': {
      evidence.pods = podsHere.length;
      evidence.gracePeriodS = maxOf(podsHere.map((p) => p.grace)) ?? 0;
      if (g.cause === 'killed_in_flight') evidence[g.about] = 1; // exited | killed | crashed
      const removal = maxOf(podsHere.map((p) => (p.removedAt !== null && p.endedAt !== null && p.removedAt >= p.endedAt ? p.removedAt - p.endedAt : null)));
      if (removal !== null && g.cause === 'crash') evidence.maxRemovalAfterExitS = removal;
      // a force delete (or grace 0) kills the container while kube-proxy still routes to the pod
      if (g.cause === 'crash' && g.trigger !== null && podsHere.some((p) => p.ended === 'killed')) evidence.killed = 1;
      break;
    }
    case 'bad_version': {
      const pods = input.pods.filter((p) => p.image === g.about);
      const served = pods.reduce((n, p) => n + input.served(p.index), 0);
      evidence.served = served;
      evidence.measuredErrorRate = served > 0 ? totalErrors(input, g.about) / served : 0;
      evidence.errorRate = input.errorRates[g.about] ?? 0;
      subjects = [g.about];
      break;
    }
    case 'node_failure': {
      const down = maxOf(podsHere.map((p) => p.nodeDownAt));
      if (down !== null) evidence.nodeDownAtS = down;
      const removal = maxOf(podsHere.map((p) => (p.removedAt !== null && p.nodeDownAt !== null && p.removedAt >= p.nodeDownAt ? p.removedAt - p.nodeDownAt : null)));
      if (removal !== null) evidence.maxRemovalAfterNodeDownS = removal;
      evidence.pods = podsHere.length;
      subjects = [...subjects, g.about];
      break;
    }
    case 'no_endpoints':
      evidence.durationS = to - from;
      subjects = [g.about];
      break;
    case 'capacity':
      Object.assign(evidence, loadEvidence(input, from, to));
      evidence.pods = podsHere.length;
      break;
    case 'other':
      break;
  }
  const uniq = [...new Set(subjects)].filter((s) => s !== '').sort();
  const owners = [...new Set(podsHere.map((p) => p.deployment).filter((d): d is string => d !== null))].sort();
  const strategy = strategyOf(input, g.trigger);
  if (strategy === 'Recreate') evidence.recreate = 1;
  const core: Core = { cause: g.cause, outcome: g.outcome, count, from, to, trigger: g.trigger, subjects: uniq.slice(0, MAX_SUBJECTS), owners, evidence, about: g.about };
  const { message, fix } = describe(core, null);
  return { cause: core.cause, outcome: core.outcome, count, from, to, trigger: core.trigger, subjects: core.subjects, owners, message, fix, evidence };
}

function totalErrors(input: FindingInput, image: string): number {
  const indexes = new Set(input.pods.filter((p) => p.image === image).map((p) => p.index));
  return input.windows.filter((w) => w.outcome === 'app_error' && indexes.has(w.pod)).reduce((n, w) => n + w.count, 0);
}

/** Peak throughput and the range of endpoints kube-proxy routed to, over the buckets of [from, to]. */
function loadEvidence(input: FindingInput, from: number, to: number): Record<string, number> {
  const s = input.series;
  if (s === undefined || s.requests.length === 0) return {};
  const b0 = Math.max(0, Math.min(s.requests.length - 1, Math.floor(from / s.interval)));
  const b1 = Math.max(b0, Math.min(s.requests.length - 1, Math.floor(to / s.interval)));
  let peak = 0;
  for (let b = b0; b <= b1; b++) peak = Math.max(peak, s.requests[b]! / s.interval);
  const out: Record<string, number> = { peakRequestsPerS: peak };
  const proxies = Object.keys(s.gauges).filter((k) => k.startsWith('proxy/'));
  if (proxies.length === 1) {
    const xs = s.gauges[proxies[0]!]!.slice(b0, b1 + 1).filter((x): x is number => x !== null);
    if (xs.length > 0) {
      out.minEndpoints = Math.min(...xs);
      out.maxEndpoints = Math.max(...xs);
    }
  }
  return out;
}

// -------------------------------------------------------------------------------------------------
// Triggers

function trig(a: FiredAction): FindingTrigger {
  return { at: a.at, action: a.action, target: a.target, detail: a.detail };
}

/** The action that began a pod's termination: its delete-pod, the rollout it was part of, a scale-down or a node drain. */
function triggerOfPod(input: FindingInput, pod: PodFacts): FindingTrigger | null {
  if (pod.deletedBy !== null) {
    const a = input.actions.find((x) => x.at === pod.deletedBy!.at && x.action === 'delete-pod');
    if (a !== undefined) return trig(a);
  }
  const t = pod.stoppingAt ?? pod.endedAt;
  if (t === null) return null;
  if (pod.deployment !== null) {
    const r = input.rollouts.find((x) => x.target === pod.deployment && x.startedAtS <= t + EPS && (x.completedAtS === null || t <= x.completedAtS + 60));
    if (r !== undefined) return rolloutTrigger(input, r);
  }
  const a = latest(input.actions, t, (x) => x.target === pod.deployment || (pod.node !== null && (x.action === 'drain-node' || x.action === 'fail-node') && x.detail.split(' ')[0] === pod.node));
  return a === undefined ? null : trig(a);
}

function rolloutTrigger(input: FindingInput, r: RolloutRecord): FindingTrigger {
  const a = latest(input.actions, r.startedAtS, (x) => x.target === r.target && x.outcome === 'done');
  return a !== undefined ? trig(a) : { at: r.startedAtS, action: 'rollout', target: r.target, detail: '' };
}

function nodeTrigger(input: FindingInput, pod: PodFacts): FindingTrigger | null {
  const t = pod.nodeDownAt ?? Infinity;
  const a = latest(input.actions, t, (x) => x.action === 'fail-node' && x.detail.split(' ')[0] === pod.node);
  return a === undefined ? null : trig(a);
}

function imageTrigger(input: FindingInput, image: string, t: number): FindingTrigger | null {
  const a = latest(input.actions, t, (x) => x.action === 'set-image' && x.detail.split(' ').some((d) => d.endsWith(`=${image}`)));
  if (a !== undefined) return trig(a);
  // Back to an image by rollout-undo: the undo started the rollout that brought it.
  const pods = input.pods.filter((p) => p.image === image && p.deployment !== null);
  for (const r of [...input.rollouts].reverse()) {
    if (r.startedAtS <= t + EPS && pods.some((p) => p.deployment === r.target)) {
      const u = latest(input.actions, r.startedAtS, (x) => x.target === r.target && x.action === 'rollout-undo');
      if (u !== undefined) return trig(u);
    }
  }
  return null;
}

/** A rollout in progress at t (its triggering action), else the latest action within 30 s before t. */
function triggerAround(input: FindingInput, t: number, pod: PodFacts | null): FindingTrigger | null {
  const r = input.rollouts.find((x) => (pod === null || x.target === pod.deployment) && x.startedAtS <= t + EPS && (x.completedAtS === null || t <= x.completedAtS + 5));
  if (r !== undefined) return rolloutTrigger(input, r);
  const a = latest(input.actions, t, (x) => x.outcome === 'done' && x.at >= t - 30);
  return a === undefined ? null : trig(a);
}

function latest(actions: readonly FiredAction[], t: number, ok: (a: FiredAction) => boolean): FiredAction | undefined {
  let best: FiredAction | undefined;
  for (const a of actions) if (a.at <= t + EPS && ok(a) && (best === undefined || a.at >= best.at)) best = a;
  return best;
}

function strategyOf(input: FindingInput, t: FindingTrigger | null): string | null {
  return t === null ? null : (input.strategies[t.target] ?? null);
}

// -------------------------------------------------------------------------------------------------
// Wording

/** What the wording reads: a finding without its sentence, plus what it is about (image, node, Service, kill kind). */
type Core = Omit<Finding, 'message' | 'fix'> & { about: string };

const VERB: Record<Outcome, string> = {
  ok: 'succeeded',
  no_endpoints: 'found no endpoint',
  refused: 'refused',
  reset: 'reset',
  timeout: 'timed out',
  overload: 'rejected with 503 (queue full)',
  app_error: 'answered with an error (5xx)',
};

const n = (x: number) => Math.round(x).toLocaleString('en-US');
const s1 = (x: number) => (Math.round(x * 10) / 10).toFixed(1);
const s2 = (x: number) => (x < 10 ? (Math.round(x * 100) / 100).toFixed(2) : s1(x));
const pct = (x: number) => `${(Math.round(x * 1000) / 10).toFixed(1)}%`;

function windowText(from: number, to: number): string {
  return s1(from) === s1(to) ? `at ${s1(from)} s` : `at ${s1(from)}–${s1(to)} s`;
}

function triggerText(t: FindingTrigger | null, many: boolean, since = false): string {
  if (t === null) return '';
  // an image's errors last as long as its pods serve, not only while the rollout runs
  if (since && (t.action === 'set-image' || t.action === 'rollout-undo')) return ` since ${t.action} ${t.target} at ${s1(t.at)} s`;
  switch (t.action) {
    case 'delete-pod':
      return many || t.detail === '' ? ` after delete-pod ${t.target} at ${s1(t.at)} s` : ` after delete-pod ${t.detail} at ${s1(t.at)} s`;
    case 'set-image':
      return ` during the rollout of ${t.target} (set-image at ${s1(t.at)} s)`;
    case 'rollout-undo':
      return ` during the rollback of ${t.target} (rollout-undo at ${s1(t.at)} s)`;
    case 'rollout-resume':
      return ` during the rollout of ${t.target} (resumed at ${s1(t.at)} s)`;
    case 'rollout':
      return ` during the rollout of ${t.target} (from ${s1(t.at)} s)`;
    default: {
      const detail = t.detail === '' || t.target.endsWith(`/${t.detail}`) ? '' : ` ${t.detail}`;
      return ` after ${t.action} ${t.target}${detail} at ${s1(t.at)} s`;
    }
  }
}

function names(subjects: string[], total?: number): string {
  const extra = total !== undefined && total > subjects.length ? ` and ${total - subjects.length} more` : '';
  return subjects.join(', ') + extra;
}

/** The sentence and fix of a finding; `runs` describes a variant's aggregate (null for one run). */
function describe(c: Core, runs: { with: number; total: number } | null): { message: string; fix: string | null } {
  const e = c.evidence;
  const many = runs !== null && runs.total > 1;
  const podCount = e.pods ?? c.subjects.length;
  const podNames = c.cause === 'node_failure' ? c.subjects.filter((x) => x !== c.about) : c.subjects;
  // Over several runs pod names differ per run: name the Deployment instead.
  const podsText = many
    ? `pods of ${c.owners.length > 0 ? c.owners.join(', ') : 'the workload'}`
    : podCount === 1
      ? `pod ${podNames[0] ?? ''}`
      : `${podCount} pods (${names(podNames, podCount)})`;
  const what = (by: string) =>
    `${n(c.count)} request${c.count === 1 ? '' : 's'} ${VERB[c.outcome]}${by}${many ? ` (${s1(c.count / runs!.total)} per run, in ${runs!.with} of ${runs!.total} runs)` : ''} ${windowText(c.from, c.to)}${triggerText(c.trigger, many, c.cause === 'bad_version')}`;
  const sigterm = (e.preStopS ?? 0) > 0 ? 'termination began' : 'SIGTERM';
  const recreateFix = e.recreate === 1 ? 'RollingUpdate keeps old pods serving until new ones are Ready (Recreate stops them all first)' : null;
  switch (c.cause) {
    case 'termination_race': {
      const removal = e.maxRemovalAfterTerminationS;
      const preStop = e.preStopS ?? 0;
      const stop = preStop > 0 ? `after its ${s1(preStop)} s preStop sleep` : 'at SIGTERM';
      if (e.fallback === 1) {
        return {
          message: `${what(` by ${podsText}`)}: no endpoint was ready, so kube-proxy kept routing to the terminating pods (the serving-terminating fallback) after their containers had stopped listening${preStop > 0 ? ` (at the end of a ${s1(preStop)} s preStop sleep)` : ' (at SIGTERM)'}.`,
          fix: recreateFix,
        };
      }
      const upTo = podCount === 1 && !many ? '' : 'up to ';
      const removed =
        removal === undefined
          ? 'kube-proxy had not removed the endpoint by the end of the run'
          : `kube-proxy removed the endpoint${podCount === 1 && !many ? '' : 's'} ${upTo}${s2(removal)} s after ${sigterm}`;
      const message = `${what(` by ${podsText}`)}: ${removed}, and the container had stopped listening ${stop}.`;
      if (removal === undefined) return { message, fix: null };
      const need = Math.floor(removal) + 1; // whole seconds, strictly longer than the measured delay
      const grace = e.gracePeriodS ?? 0;
      const fix =
        grace === 0
          ? `a graceful delete (grace period > 0; with grace 0 the preStop hook is skipped) and a preStop sleep of ≥ ${need} s would have kept serving them`
          : `a preStop sleep of ≥ ${need} s would have kept serving them${need >= grace ? ` (with terminationGracePeriodSeconds above it; now ${n(grace)} s)` : ''}`;
      return { message, fix };
    }
    case 'killed_in_flight': {
      const grace = e.gracePeriodS ?? 0;
      const its = podCount === 1 && !many ? 'its container was' : 'their containers were';
      const how =
        c.about === 'exited'
          ? `${podCount === 1 && !many ? 'its container' : 'their containers'} exited on SIGTERM`
          : c.about === 'crashed'
            ? `${podCount === 1 && !many ? 'its container' : 'their containers'} crashed`
            : grace === 0
              ? `${its} killed at once (grace period 0)`
              : `${its} killed (SIGKILL) when the ${n(grace)} s grace period ran out`;
      const fix =
        c.about === 'exited'
          ? 'an app that drains on SIGTERM (finishes in-flight requests before exiting) would have answered them'
          : c.about === 'killed' && grace === 0
            ? 'a graceful delete (grace period > 0) lets the pod finish in-flight requests'
            : c.about === 'killed'
              ? `a terminationGracePeriodSeconds longer than ${n(grace)} s would have let them finish`
              : null;
      return { message: `${what('')}: in flight on ${podsText} when ${how}.`, fix };
    }
    case 'crash': {
      const removal = e.maxRemovalAfterExitS;
      const tail = removal === undefined ? '' : `; kube-proxy stopped routing to ${podCount === 1 && !many ? 'it' : 'them'} ${podCount === 1 && !many ? '' : 'up to '}${s2(removal)} s later`;
      const killed = e.killed === 1;
      return {
        message: `${what(` by ${podsText}`)} after the container ${c.trigger === null ? 'crashed' : killed ? 'was killed at once (force or grace period 0)' : 'exited'}${tail}.`,
        fix: killed ? 'a graceful delete (no force, a grace period) with a preStop sleep keeps the pod serving until kube-proxy has dropped it' : null,
      };
    }
    case 'no_endpoints':
      return {
        message: `${what(` for Service ${c.about}`)}: kube-proxy had no ready (or serving terminating) endpoint to route to, for ${s1(e.durationS ?? 0)} s${many ? ' at most' : ''}.`,
        fix: recreateFix,
      };
    case 'bad_version': {
      const measured = e.measuredErrorRate ?? 0;
      const config = e.errorRate ?? 0;
      return {
        message: `${what(` by ${c.about}`)}: ${pct(measured)} of the ${n(e.served ?? 0)} requests its pods served${config > 0 ? ` (its behaviour profile's errorRate is ${pct(config)})` : ''}.`,
        fix: null,
      };
    }
    case 'node_failure': {
      const removal = e.maxRemovalAfterNodeDownS;
      const tail = removal === undefined ? '' : `; kube-proxy stopped routing to its pods ${s2(removal)} s after it went down`;
      return { message: `${what(` on ${podsText}`)}: node ${c.about} stopped answering${tail}.`, fix: null };
    }
    case 'capacity': {
      const load = e.peakRequestsPerS !== undefined ? `peak throughput ${n(e.peakRequestsPerS)} requests/s` : '';
      const eps =
        e.minEndpoints !== undefined
          ? `${e.minEndpoints === e.maxEndpoints ? n(e.minEndpoints) : `${n(e.minEndpoints)}–${n(e.maxEndpoints ?? e.minEndpoints)}`} endpoint${e.maxEndpoints === 1 ? '' : 's'} in kube-proxy's view`
          : '';
      const figures = [load, eps].filter((x) => x !== '').join(', ');
      return { message: `${what(` on ${podsText}`)}: more load than the pods could serve${figures === '' ? '' : ` (${figures})`}.`, fix: null };
    }
    case 'other':
      return { message: `${what(c.subjects.length > 0 ? ` on ${podsText}` : '')}; no pod event in the run explains them.`, fix: null };
  }
}

// -------------------------------------------------------------------------------------------------
// Over runs

/**
 * Findings of a variant's runs combined: the same cause, outcome, trigger and subject across runs is
 * one finding (counts summed, windows enveloped, evidence maxima kept — minima for `min…` figures).
 * Untriggered findings pair up by their order within the run. Largest count first.
 */
export function summarizeFindings(runs: readonly { findings: readonly Finding[] }[]): FindingAggregate[] {
  const groups = new Map<string, { items: Finding[]; runs: Set<number> }>();
  const order: string[] = [];
  runs.forEach((r, ri) => {
    const seen = new Map<string, number>();
    for (const f of r.findings) {
      const base = [f.cause, f.outcome, f.trigger === null ? '' : `${f.trigger.action}|${f.trigger.target}|${f.trigger.at}`, f.cause === 'bad_version' || f.cause === 'no_endpoints' || f.cause === 'node_failure' ? f.subjects[0] ?? '' : ''].join('\u0000');
      const k = seen.get(base) ?? 0;
      seen.set(base, k + 1);
      const key = `${base}\u0000${k}`;
      let g = groups.get(key);
      if (g === undefined) {
        groups.set(key, (g = { items: [], runs: new Set() }));
        order.push(key);
      }
      g.items.push(f);
      g.runs.add(ri);
    }
  });
  const total = runs.length;
  const out: FindingAggregate[] = order.map((key) => {
    const { items, runs: with_ } = groups.get(key)!;
    const first = items[0]!;
    const count = items.reduce((a, f) => a + f.count, 0);
    const evidence: Record<string, number> = {};
    for (const f of items) {
      for (const [k, v] of Object.entries(f.evidence)) {
        const cur = evidence[k];
        evidence[k] = cur === undefined ? v : k.startsWith('min') ? Math.min(cur, v) : Math.max(cur, v);
      }
    }
    if (first.cause === 'bad_version') {
      const served = items.reduce((a, f) => a + (f.evidence.served ?? 0), 0);
      evidence.served = served;
      evidence.measuredErrorRate = served > 0 ? count / served : 0;
    }
    const subjects = total > 1 && first.cause !== 'bad_version' && first.cause !== 'no_endpoints' && first.cause !== 'node_failure' ? [] : first.subjects;
    const owners = [...new Set(items.flatMap((f) => f.owners))].sort();
    const core: Core = {
      cause: first.cause,
      outcome: first.outcome,
      count,
      from: Math.min(...items.map((f) => f.from)),
      to: Math.max(...items.map((f) => f.to)),
      trigger: first.trigger,
      subjects: subjects.length > 0 ? subjects : owners.slice(0, MAX_SUBJECTS),
      owners,
      evidence,
      about: first.cause === 'killed_in_flight' ? aboutOfKill(first) : first.cause === 'termination_race' ? '' : (first.subjects[0] ?? ''),
    };
    const { message, fix } = total > 1 ? describe(core, { with: with_.size, total }) : { message: first.message, fix: first.fix };
    return { ...core, message, fix, runs: with_.size, perRun: total === 0 ? 0 : count / total };
  });
  return out
    .map(({ cause, outcome, count, from, to, trigger, subjects, owners, message, fix, evidence, runs: r, perRun }) => ({ cause, outcome, count, from, to, trigger, subjects, owners, message, fix, evidence, runs: r, perRun }))
    .sort((a, b) => b.count - a.count || a.from - b.from);
}

function aboutOfKill(f: Finding): string {
  return f.evidence.exited === 1 ? 'exited' : f.evidence.crashed === 1 ? 'crashed' : 'killed';
}
