import { describe, expect, it } from 'vitest';
import { formatDiagnostic, ScenarioError } from '../../../engine/scenario/diagnostics.js';
import { loadScenarioFiles, type LoadedScenario } from '../../../engine/scenario/load.js';
import { simulate, type RunResult } from '../../../engine/run/simulate.js';

/**
 * delete-pod and rollout-restart against kubernetes-semantics.md: §4.6 (graceful termination, force
 * delete), §3.2 (the ReplicaSet replaces a deleted pod at once, while the old one terminates), §1.3 (a
 * restart is a rolling update by the Deployment's strategy). The scenarios are written inline and read
 * as standard input would be.
 */

const app = (replicas = 2, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: ${replicas}
  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: frontend}}
    spec:
      terminationGracePeriodSeconds: 30
      containers:
        - name: app
          image: app:1
          lifecycle: {preStop: {sleep: {seconds: 5}}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
${extra}`;

const db = `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db}
spec:
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db, tier: backend}}
    spec:
      containers: [{name: db, image: app:1}]
`;

function scenario(timeline: string[], manifests = app(), seed = 1): LoadedScenario {
  const text = `${manifests}---
apiVersion: kubesim.dev/v1alpha1
kind: Scenario
metadata: {name: t}
spec:
  duration: 40s
  seed: ${seed}
  cluster: {nodes: 3}
  images:
    app:1: {startup: 2s, serviceTime: 10ms}
  traffic: [{name: web, service: web, rate: 20/s}]
  timeline:
${timeline.map((t) => `    - ${t}`).join('\n')}
`;
  return loadScenarioFiles(['-'], { stdin: text }).scenarios[0]!;
}

const run = (s: LoadedScenario): RunResult => simulate(s, 0, s.spec.seed);
const round = (t: number) => Math.round(t * 1000) / 1000;
/** The event log from `from` on, as rows [t, reason, object, message]. */
const log = (r: RunResult, from: number) => r.events.filter((e) => e.t >= from).map((e) => [round(e.t), e.reason, e.object, e.message]);

function errorsOf(timeline: string[], manifests = app()): string[] {
  try {
    scenario(timeline, manifests);
  } catch (e) {
    if (e instanceof ScenarioError) return e.diagnostics.map(formatDiagnostic);
    throw e;
  }
  throw new Error('expected the scenario to fail');
}

describe('how delete-pod deletes (§4.6, §3.2): one pod of deployment/web at 10 s, preStop sleep 5 s, grace 30 s, controllers react in 20 ms', () => {
  // [fields, object removed after (s), kubelet's Killing event after (s) or null, replacement created after (s), requests refused]
  it.each([
    // graceful: the kubelet observes the deletion (20 ms), runs the 5 s preStop, SIGTERM; the app exits at once
    ['', 5.02, 0.02, 0.02, 0],
    // grace shorter than the preStop: SIGTERM at the grace's end cuts the hook short (§4.6.3: then at most +2 s before SIGKILL)
    ['gracePeriod: 2', 2.02, 0.02, 0.02, 0],
    // gracePeriod 0 (the API's gracePeriodSeconds 0): no preStop, SIGKILL at once; kube-proxy still routes to it for a while
    ['gracePeriod: 0', 0, 0, 0.02, 'some'],
    // force (kubectl --grace-period=0 --force): the object is gone at once, before any kubelet step
    ['force: true', 0, null, 0.02, 'some'],
  ] as const)('{%s}: removed after %s s, Killing after %s s, replaced after %s s, refused %s', (fields, removedAfter, killingAfter, replacedAfter, refused) => {
    const r = run(scenario([`{at: 10s, action: delete-pod, target: deployment/web${fields === '' ? '' : `, ${fields}`}}`]));
    const victim = r.actions[0]!.detail.split(' ')[0]!;
    const pod = r.pods.find((p) => p.name === victim)!;
    expect(round(pod.deletedAtS! - 10)).toBe(removedAfter);
    const killing = r.events.find((e) => e.reason === 'Killing' && e.object === `pod/${victim}`);
    expect(killing === undefined ? null : round(killing.t - 10)).toBe(killingAfter);
    const created = r.events.find((e) => e.t >= 10 && e.reason === 'SuccessfulCreate');
    expect(round(created!.t - 10)).toBe(replacedAfter);
    const failed = r.metrics.requests.byOutcome.refused;
    if (refused === 'some') expect(failed).toBeGreaterThan(0);
    else expect(failed).toBe(refused);
    expect(r.actions[0]!.detail).toBe(`${victim}${fields === 'force: true' ? ' (force)' : fields === '' ? '' : ` (grace ${fields.split(': ')[1]}s)`}`);
  });

  it('force: the whole event log — the ReplicaSet replaces the pod at once, no Killing (the kubelet finds the object gone)', () => {
    const r = run(scenario(['{at: 10s, action: delete-pod, target: deployment/web, force: true}']));
    const victim = r.actions[0]!.detail.replace(' (force)', '');
    const rs = victim.slice(0, victim.lastIndexOf('-'));
    const replacement = r.events.find((e) => e.t >= 10 && e.reason === 'SuccessfulCreate')!.message.replace('Created pod: ', '');
    expect(log(r, 10)).toEqual([
      [10.02, 'SuccessfulCreate', `replicaset/${rs}`, `Created pod: ${replacement}`],
      [10.04, 'Scheduled', `pod/${replacement}`, expect.stringMatching(new RegExp(`^Successfully assigned default/${replacement} to node-[123]$`))],
      [12.06, 'Created', `pod/${replacement}`, 'Created container app'],
      [12.06, 'Started', `pod/${replacement}`, 'Started container app'],
    ]);
    // what was refused went to the vanished pod through kube-proxy's stale view, and the finding says so
    expect(r.findings.map((f) => [f.cause, f.count, f.subjects])).toEqual([['crash', r.metrics.requests.byOutcome.refused, [victim]]]);
    expect(r.findings[0]!.message).toContain('was killed at once (force or grace period 0)');
  });
});

describe('rollout-restart (kubectl rollout restart deployment/web)', () => {
  it('the whole event log: a new ReplicaSet, rolled out by the strategy (maxSurge 1, maxUnavailable 0: one new pod, then one old pod down)', () => {
    const r = run(scenario(['{at: 10s, action: rollout-restart, target: deployment/web}']));
    expect(r.actions).toEqual([{ at: 10, index: 0, action: 'rollout-restart', target: 'deployment/web', detail: '', outcome: 'done' }]);
    const rows = log(r, 10);
    const names = (re: RegExp) => [...new Set(rows.map((x) => re.exec(String(x[3]))?.[1]).filter((x) => x !== undefined))];
    const [newRS] = names(/^Scaled up replica set (\S+)/);
    const [oldRS] = names(/^Scaled down replica set (\S+)/);
    const [n1, n2] = names(/^Created pod: (\S+)/);
    const [o1, o2] = names(/^Deleted pod: (\S+)/);
    expect(newRS).not.toBe(oldRS);
    expect(rows).toEqual([
      [10.02, 'ScalingReplicaSet', 'deployment/web', `Scaled up replica set ${newRS} from 0 to 1`],
      [10.04, 'SuccessfulCreate', `replicaset/${newRS}`, `Created pod: ${n1}`],
      [10.06, 'Scheduled', `pod/${n1}`, expect.stringMatching(/^Successfully assigned/)],
      [12.08, 'Created', `pod/${n1}`, 'Created container app'],
      [12.08, 'Started', `pod/${n1}`, 'Started container app'],
      [12.12, 'ScalingReplicaSet', 'deployment/web', `Scaled down replica set ${oldRS} from 2 to 1`],
      [12.14, 'SuccessfulDelete', `replicaset/${oldRS}`, `Deleted pod: ${o1}`],
      [12.16, 'Killing', `pod/${o1}`, 'Stopping container app'],
      [12.16, 'ScalingReplicaSet', 'deployment/web', `Scaled up replica set ${newRS} from 1 to 2`],
      [12.18, 'SuccessfulCreate', `replicaset/${newRS}`, `Created pod: ${n2}`],
      [12.2, 'Scheduled', `pod/${n2}`, expect.stringMatching(/^Successfully assigned/)],
      [14.22, 'Created', `pod/${n2}`, 'Created container app'],
      [14.22, 'Started', `pod/${n2}`, 'Started container app'],
      [14.26, 'ScalingReplicaSet', 'deployment/web', `Scaled down replica set ${oldRS} from 1 to 0`],
      [14.28, 'SuccessfulDelete', `replicaset/${oldRS}`, `Deleted pod: ${o2}`],
      [14.3, 'Killing', `pod/${o2}`, 'Stopping container app'],
    ]);
    expect(r.metrics.requests.byOutcome.ok).toBe(r.metrics.requests.total); // 5 s preStop: nothing lost
  });

  it('is restart under its kubectl name: the same run', () => {
    const a = run(scenario(['{at: 10s, action: rollout-restart, target: deployment/web}']));
    const b = run(scenario(['{at: 10s, action: restart, target: deployment/web}']));
    expect(a.events).toEqual(b.events);
    expect(a.metrics).toEqual(b.metrics);
  });

  it('is refused while the Deployment is paused, with kubectl\'s message', () => {
    const r = run(scenario(['{at: 5s, action: rollout-pause, target: deployment/web}', '{at: 10s, action: rollout-restart, target: deployment/web}']));
    expect(r.actions[1]).toMatchObject({ action: 'rollout-restart', outcome: 'refused' });
    expect(r.notes).toEqual([expect.stringContaining('can\'t restart paused deployment (run rollout resume first)')]);
  });
});

describe('which pods delete-pod picks', () => {
  it('deployment/<name>: count pods at random without repeats, from the action\'s own stream (other random sources do not move it)', () => {
    const alone = run(scenario(['{at: 10s, action: delete-pod, target: deployment/web, count: 2}'], app(4)));
    const victims = alone.actions[0]!.detail.split(' ');
    expect(new Set(victims).size).toBe(2);
    // a fail-node of a random node draws from the faults stream first: the victims stay the same
    const withNodeFault = run(scenario(['{at: 10s, action: delete-pod, target: deployment/web, count: 2}', '{at: 5s, action: fail-node, target: node/*, duration: 1s}'], app(4)));
    expect(withNodeFault.actions.find((a) => a.action === 'delete-pod')!.detail).toBe(alone.actions[0]!.detail);
    // over seeds every pod gets picked (a fixed choice would fail this)
    const picked = new Set<string>();
    for (let seed = 1; seed <= 12; seed++) picked.add(run(scenario(['{at: 10s, action: delete-pod, target: deployment/web}'], app(4), seed)).actions[0]!.detail.slice(-5));
    expect(picked.size).toBeGreaterThan(2);
  });

  it('count above the active pods deletes them all', () => {
    const r = run(scenario(['{at: 10s, action: delete-pod, target: deployment/web, count: 9}']));
    expect(r.actions[0]!.detail.split(' ')).toHaveLength(2);
  });

  it('pod/<name>: exactly that pod; a pod that is gone is refused as kubectl says it', () => {
    const first = run(scenario(['{at: 10s, action: delete-pod, target: deployment/web}']));
    const name = first.actions[0]!.detail;
    const r = run(scenario([`{at: 10s, action: delete-pod, target: pod/${name}}`, `{at: 20s, action: delete-pod, target: pod/${name}}`]));
    expect(r.actions.map((a) => [a.target, a.detail, a.outcome])).toEqual([
      [`pod/${name}`, name, 'done'],
      [`pod/${name}`, '', 'refused'],
    ]);
    expect(r.notes).toEqual([`timeline[1] delete-pod at 20s refused: pods "${name}" not found`]);
  });

  it('selector: every active pod whose labels match, as kubectl delete pod -l; equality and set-based', () => {
    const r = run(
      scenario(
        ['{at: 10s, action: delete-pod, selector: "app=web"}', '{at: 20s, action: delete-pod, selector: "tier in (backend),app!=web"}', '{at: 30s, action: delete-pod, selector: "app notin (web,db)"}'],
        app(2, db),
      ),
    );
    const [web, backend, none] = r.actions;
    expect(web).toMatchObject({ target: '-l app=web', outcome: 'done' });
    expect(web!.detail.split(' ').map((n) => n.replace(/-\w+-\w+$/, ''))).toEqual(['web', 'web']);
    expect(backend!.detail.split(' ').map((n) => n.replace(/-\w+-\w+$/, ''))).toEqual(['db', 'db']);
    expect(none).toMatchObject({ outcome: 'refused' });
    expect(r.notes).toEqual(['timeline[2] delete-pod at 30s refused: No resources found in default namespace.']);
  });
});

describe('delete-pod fields: errors and notes at load', () => {
  it.each([
    ['{at: 1s, action: delete-pod}', 'spec.timeline[0].target: missing required field; expected a target like deployment/<name> or pod/<name>, or a selector like app=web'],
    ['{at: 1s, action: delete-pod, target: deployment/web, selector: app=web}', 'spec.timeline[0].selector: give target or selector, not both (a selector picks pods by label in the namespace)'],
    ['{at: 1s, action: delete-pod, selector: app=web, count: 2}', 'spec.timeline[0].count: applies to deployment/ and rollout/ targets; a selector deletes every matching pod, as kubectl delete pod -l does'],
    ['{at: 1s, action: delete-pod, target: pod/web-abc-12345, count: 2}', 'spec.timeline[0].count: applies to deployment/ and rollout/ targets; pod/<name> is one pod'],
    ['{at: 1s, action: delete-pod, target: deployment/web, force: true, gracePeriod: 5}', 'spec.timeline[0].gracePeriod: force deletes at once (kubectl delete --grace-period=0 --force); remove gracePeriod or set it to 0, got 5'],
    ['{at: 1s, action: delete-pod, selector: "app in (web"}', 'spec.timeline[0].selector: expected "," or ")", got the end at column 12 of "app in (web"; expected a label selector like app=web, "app=web,tier!=db" or "env in (a,b)"'],
    ['{at: 1s, action: delete-pod, selector: "x>1"}', 'spec.timeline[0].selector: the numeric > operator has no label-selector form; use in (…) or notin (…) at column 2 of "x>1"; expected a label selector like app=web, "app=web,tier!=db" or "env in (a,b)"'],
    ['{at: 1s, action: delete-pod, target: service/web}', 'spec.timeline[0].target: expected a target like deployment/<name>, rollout/<name> or pod/<name>, got "service/web"'],
  ])('%s', (entry, message) => {
    expect(errorsOf([entry]).map((e) => e.replace(/^<stdin>:\d+:\d+: /, ''))).toEqual([message]);
  });

  it('a selector no pod template matches, and a pod name no workload creates, are notes', () => {
    const s = scenario(['{at: 1s, action: delete-pod, selector: "app=api"}', '{at: 2s, action: delete-pod, target: pod/api-7d9f-abcde}', '{at: 3s, action: delete-pod, selector: "tier=frontend"}']);
    expect(s.notes.map((n) => `${n.path}: ${n.message}`)).toEqual([
      'spec.timeline[0].selector: the selector matches the pod template of no Deployment or Rollout in namespace "default"; the action will find no pod',
      'spec.timeline[1].target: no Deployment or Rollout in namespace "default" creates a pod named so (pods are named <workload>-<hash>-<suffix>: see the report\'s pods); the action will find no pod',
    ]);
  });
});
