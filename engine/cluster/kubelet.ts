import { exponential } from '../kernel/distributions.js';
import type { BehaviorProfile } from '../behavior/profile.js';
import type { ClusterContext } from './context.js';
import type { Condition, Container, ContainerStatus, Pod, Probe } from './objects.js';
import { getCondition, setCondition } from './objects.js';
import { getNode, machines, type Machines } from './nodes.js';

/**
 * The kubelet of every node (one object runs the pods of all nodes), following
 * kubernetes-semantics.md §4:
 *
 * - admission: a pod bound to an up node gets PodScheduled/Initialized True, an IP (10.244.<node>.<n>)
 *   and, after `behavior(image).startup` (stream `startup/<image>`), a running container that LISTENS;
 * - probes (§4.3) on per-probe tickers anchored at admission, with the sheet's defaults for absent fields;
 * - crashes (stream `crash/<image>`), liveness/startup kills and restarts with CrashLoopBackOff (§4.5);
 * - graceful termination (§4.6): preStop → SIGTERM (immediate | drain) → SIGKILL at the grace period
 *   (+2 s once if preStop overran), then the pod object is removed from the store;
 * - the node's heartbeat: the Lease is renewed every `nodeLeaseRenewPeriod` while the machine is up (§6.1).
 *   A dead machine runs nothing: no probes, no status updates, no deletions (the pod object stays).
 *
 * Simplifications (documented): image pull + app start are one duration (the profile's `startup`), so a
 * container turns Running and listening at the same instant, and a restart samples it again; probe
 * duration is negligible (a timeout is a failure); the pod's *serving* container — the one the data plane
 * routes to — is `containers[0]`; the kubelet reacts to watch events after `config.controllerDelay`
 * (grace 0: at once), and the grace clock starts when it reacts.
 *
 * Runtime API for the data plane (all keyed by pod uid):
 * - `isListening(uid)`: the serving container accepts new connections now.
 * - `connect(uid)`: what a new connection meets: 'accept' | 'refused' (pod up, nothing listening) |
 *   'blackhole' (machine down or pod IP gone: SYNs go unanswered until the client's connect timeout, §5.7).
 * - `isNodeUp(node)`: the machine is up.
 * - `onRuntimeChange(fn)`: serving-container transitions, see `RuntimeChangeKind`.
 * - `attachDataPlane({ inFlight })` + `reportIdle(uid)`: lets a 'drain' container exit as soon as its
 *   in-flight work is done (see `sigterm` below).
 * - chaos/test hooks: `crashContainer(uid, name?)`, `setProbeHealth(uid, healthy?)`.
 */

/**
 * What happened to a pod's serving container:
 * - `listening`: (re)started and accepts new connections.
 * - `stopping`: termination began (pod deletion, liveness failure): the preStop hook runs now, for
 *   `preStop` seconds, then the stop signal; SIGKILL after `grace` seconds (§4.6).
 * - `sigterm`: the stop signal was delivered (always followed at once by `stopped-listening` if it was
 *   listening). A 'drain' app keeps working on in-flight requests; an 'immediate' app `exited` at once.
 * - `stopped-listening`: new connections are refused; in-flight work may continue (drain).
 * - `exited`: the process ended after SIGTERM; anything still in flight is reset.
 * - `crashed`: the process died on its own (meanTimeBetweenCrashes or `crashContainer`); in-flight reset.
 * - `killed`: SIGKILL (grace expired, grace 0, or the pod object vanished); in-flight reset.
 * - `node-down`: the machine died: in-flight requests hang (client timeout), new connections blackhole.
 */
export type RuntimeChangeKind = 'listening' | 'stopping' | 'sigterm' | 'stopped-listening' | 'exited' | 'crashed' | 'killed' | 'node-down';

export interface RuntimeChange {
  pod: Pod;
  container: string;
  what: RuntimeChangeKind;
  /** Simulated seconds. */
  t: number;
  /** For `stopping`: the preStop hook's duration and the grace period (seconds). */
  preStop?: number;
  grace?: number;
}

export type ConnectOutcome = 'accept' | 'refused' | 'blackhole';

/** What the data plane tells the kubelet. */
export interface DataPlaneHooks {
  /** Requests currently being worked on (or queued) by the pod's serving container. */
  inFlight(podUid: string): number;
}

/** Probe field defaults (§0, §4.3), used when the manifest loader left a field out. */
export const PROBE_DEFAULTS = {
  initialDelaySeconds: 0,
  periodSeconds: 10,
  timeoutSeconds: 1,
  successThreshold: 1,
  failureThreshold: 3,
} as const;

/** CrashLoopBackOff (§4.5): 10 s initial, doubling, 300 s cap; entry expires after 2 × cap. */
export const BACKOFF_INITIAL = 10;
export const BACKOFF_MAX = 300;

type ProbeKind = 'startup' | 'readiness' | 'liveness';
type ProbeResult = 'success' | 'failure';

interface ResolvedProbe {
  mechanism: 'exec' | 'httpGet' | 'tcpSocket' | 'grpc';
  initialDelaySeconds: number;
  periodSeconds: number;
  successThreshold: number;
  failureThreshold: number;
  terminationGracePeriodSeconds?: number;
}

interface ProbeWorker {
  kind: ProbeKind;
  probe: ResolvedProbe;
  /** Container instance the state below belongs to (a restart resets it, as a new container ID does). */
  instance: number;
  lastResult: ProbeResult | undefined;
  run: number;
  /** Current result; undefined = none yet for this instance (readiness: counts as Failure). */
  result: ProbeResult | undefined;
  /** Liveness/startup already killed this instance. */
  onHold: boolean;
}

type ContainerPhase = 'creating' | 'running' | 'stopping' | 'backoff' | 'terminated' | 'dead';

interface ContainerRuntime {
  spec: Container;
  serving: boolean;
  profile: BehaviorProfile;
  phase: ContainerPhase;
  /** Increments on every (re)start and on cancellation: timers of an older instance are stale. */
  instance: number;
  listening: boolean;
  started: boolean;
  ready: boolean;
  everRan: boolean;
  startedAt: number;
  restartCount: number;
  backoff: { delay: number; lastUpdate: number } | undefined;
  terminated: { reason: string; exitCode: number; finishedAt: number } | undefined;
  draining: boolean;
  workers: ProbeWorker[];
  healthOverride: boolean | undefined;
}

interface PodRuntime {
  pod: Pod;
  node: string;
  ip: string;
  admittedAt: number;
  containers: ContainerRuntime[];
  /** Bumped when the machine dies or the pod is dropped: every timer of an older epoch is stale. */
  epoch: number;
  terminating: boolean;
  finished: boolean;
}

export class Kubelet {
  private readonly pods = new Map<string, PodRuntime>();
  private readonly pendingAdmit = new Set<string>();
  private readonly pendingTerminate = new Set<string>();
  private readonly listeners: Array<(c: RuntimeChange) => void> = [];
  private readonly nodeIndex = new Map<string, number>();
  private readonly usedIPs = new Map<string, Set<number>>();
  private readonly leaseLoops = new Set<string>();
  private readonly machines: Machines;
  private dataPlane: DataPlaneHooks | undefined;

  constructor(private readonly ctx: ClusterContext) {
    this.machines = machines(ctx);
    for (const n of ctx.store.list('Node')) this.nodeSeen(n.metadata.name);
    ctx.store.watch('Node', (type, node) => {
      if (type === 'ADDED') this.nodeSeen(node.metadata.name);
      else if (type === 'DELETED') this.leaseLoops.delete(node.metadata.name);
    });
    ctx.store.watch('Pod', (type, pod) => this.onPod(type, pod));
    this.machines.onChange((node, up) => (up ? this.machineUp(node) : this.machineDown(node)));
    for (const p of ctx.store.list('Pod')) this.onPod('ADDED', p);
  }

  // -------------------------------------------------------------------------------------------
  // Runtime API (data plane, chaos, tests)

  /** Whether the pod's serving container accepts new connections right now. */
  isListening(podUid: string): boolean {
    const pr = this.pods.get(podUid);
    return pr !== undefined && this.machines.isUp(pr.node) && pr.containers[0]?.listening === true;
  }

  /** What a new connection to the pod's IP meets now (§4.7, §5.7). */
  connect(podUid: string): ConnectOutcome {
    const pr = this.pods.get(podUid);
    if (pr === undefined || pr.finished || !this.machines.isUp(pr.node)) return 'blackhole';
    return pr.containers[0]?.listening === true ? 'accept' : 'refused';
  }

  isNodeUp(node: string): boolean {
    return this.machines.isUp(node);
  }

  /** Subscribes to serving-container transitions; returns an unsubscribe function. */
  onRuntimeChange(listener: (c: RuntimeChange) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /**
   * Attaches the data plane. Without one, a 'drain' container exits right after SIGTERM (nothing can be
   * in flight); with one, it exits when `inFlight` is 0 at SIGTERM, when `reportIdle` is called, or after
   * the profile's drainTimeout — whichever is first — and SIGKILL at grace expiry bounds all of it.
   */
  attachDataPlane(hooks: DataPlaneHooks): void {
    this.dataPlane = hooks;
  }

  /** The data plane reports that the pod's serving container has no work in flight any more. */
  reportIdle(podUid: string): void {
    const pr = this.pods.get(podUid);
    const c = pr?.containers[0];
    if (pr === undefined || c === undefined || !c.draining) return;
    this.exitAfterSigterm(pr, c);
  }

  /** Makes the container's process die now (chaos: "kill the process"). Returns false if it was not running. */
  crashContainer(podUid: string, containerName?: string): boolean {
    const pr = this.pods.get(podUid);
    if (pr === undefined || !this.machines.isUp(pr.node)) return false;
    const c = containerName === undefined ? pr.containers[0] : pr.containers.find((x) => x.spec.name === containerName);
    if (c === undefined || (c.phase !== 'running' && c.phase !== 'stopping')) return false;
    this.crash(pr, c);
    return true;
  }

  /**
   * Overrides what the container's health endpoints answer (undefined: back to the image profile's
   * `healthy`). Probes only: serving traffic is the data plane's business.
   */
  setProbeHealth(podUid: string, healthy: boolean | undefined, containerName?: string): void {
    const pr = this.pods.get(podUid);
    if (pr === undefined) return;
    for (const c of pr.containers) if (containerName === undefined || c.spec.name === containerName) c.healthOverride = healthy;
  }

  // -------------------------------------------------------------------------------------------
  // Watches

  private onPod(type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: Pod): void {
    const uid = pod.metadata.uid;
    if (type === 'DELETED') {
      const pr = this.pods.get(uid);
      if (pr !== undefined && !pr.finished) this.drop(pr, true);
      return;
    }
    const node = pod.spec.nodeName;
    if (node === undefined || !this.machines.isUp(node)) return;
    const pr = this.pods.get(uid);
    const grace0 = pod.metadata.deletionTimestamp !== undefined && pod.metadata.deletionGracePeriodSeconds === 0;
    if (pr === undefined) {
      if (this.pendingAdmit.has(uid) || pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') return;
      this.pendingAdmit.add(uid);
      this.ctx.sim.after(grace0 ? 0 : this.ctx.config.controllerDelay, () => {
        this.pendingAdmit.delete(uid);
        this.admit(pod);
      });
      return;
    }
    if (pod.metadata.deletionTimestamp !== undefined && !pr.terminating && !this.pendingTerminate.has(uid)) {
      this.pendingTerminate.add(uid);
      const epoch = pr.epoch;
      this.ctx.sim.after(grace0 ? 0 : this.ctx.config.controllerDelay, () => {
        this.pendingTerminate.delete(uid);
        if (pr.epoch === epoch && !pr.finished) this.terminatePod(pr);
      });
    }
  }

  private nodeSeen(node: string): void {
    if (!this.nodeIndex.has(node)) this.nodeIndex.set(node, this.nodeIndex.size);
    if (this.leaseLoops.has(node)) return;
    this.leaseLoops.add(node);
    const renew = (): void => {
      if (!this.leaseLoops.has(node)) return;
      if (this.machines.isUp(node)) this.machines.renewLease(node, this.ctx.sim.now);
      this.ctx.sim.after(this.ctx.config.nodeLeaseRenewPeriod, renew);
    };
    renew();
  }

  // -------------------------------------------------------------------------------------------
  // Pod admission and status

  private admit(pod: Pod, carry?: Map<string, number>): void {
    const node = pod.spec.nodeName;
    if (node === undefined || this.pods.has(pod.metadata.uid)) return;
    if (this.ctx.store.get('Pod', pod.metadata.name, pod.metadata.namespace) !== pod) return;
    if (!this.machines.isUp(node) || getNode(this.ctx, node) === undefined) return;
    if (pod.metadata.deletionTimestamp !== undefined) {
      // Deleted before it ever started here: nothing to stop (§4.6).
      this.finishRemoval(pod, 'Failed');
      return;
    }
    const ip = pod.status.podIP ?? this.allocateIP(node);
    if (ip === undefined) {
      this.ctx.events.warning('Pod', pod.metadata.name, 'FailedCreatePodSandBox', `no free pod IP on node ${node}`);
      return;
    }
    const now = this.ctx.sim.now;
    const pr: PodRuntime = {
      pod,
      node,
      ip,
      admittedAt: now,
      epoch: 0,
      terminating: false,
      finished: false,
      containers: pod.spec.containers.map((spec, i) => ({
        spec,
        serving: i === 0,
        profile: this.ctx.behavior(spec.image),
        phase: 'creating' as ContainerPhase,
        instance: 0,
        listening: false,
        started: false,
        ready: false,
        everRan: false,
        startedAt: now,
        restartCount: carry?.get(spec.name) ?? pod.status.containerStatuses.find((s) => s.name === spec.name)?.restartCount ?? 0,
        backoff: undefined,
        terminated: undefined,
        draining: false,
        workers: [],
        healthOverride: undefined,
      })),
    };
    this.pods.set(pod.metadata.uid, pr);
    pod.status.podIP = ip;
    pod.status.startTime ??= now;
    const conds = pod.status.conditions;
    setCondition(conds, { type: 'PodScheduled', status: 'True' }, now);
    setCondition(conds, { type: 'PodReadyToStartContainers', status: 'True' }, now);
    setCondition(conds, { type: 'Initialized', status: 'True' }, now);
    for (const c of pr.containers) {
      for (const kind of ['startup', 'readiness', 'liveness'] as const) {
        const p = c.spec[`${kind}Probe`];
        if (p !== undefined) this.startProbeWorker(pr, c, kind, resolveProbe(p, kind));
      }
      this.startContainer(pr, c);
    }
    this.syncStatus(pr, true);
  }

  /** Recomputes the pod's status from the runtime and writes it back when anything changed. */
  private syncStatus(pr: PodRuntime, force = false): void {
    if (pr.finished || !this.machines.isUp(pr.node)) return;
    const pod = pr.pod;
    const now = this.ctx.sim.now;
    // change detection field by field (what this method writes), not by serialising the status twice
    let changed = force;
    const statuses = pr.containers.map((c) => containerStatus(c));
    const prev = pod.status.containerStatuses;
    if (statuses.length !== prev.length || statuses.some((c, i) => !sameContainerStatus(c, prev[i]!))) changed = true;
    pod.status.containerStatuses = statuses;
    const unready = pr.containers.filter((c) => !c.ready).map((c) => c.spec.name);
    const cond = (type: string): Condition =>
      unready.length === 0
        ? { type, status: 'True' }
        : { type, status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` };
    if (setCondition(pod.status.conditions, cond('ContainersReady'), now)) changed = true;
    if (setCondition(pod.status.conditions, cond('Ready'), now)) changed = true;
    const phase = pod.status.phase;
    if (pod.spec.restartPolicy === 'Never' && pr.containers.every((c) => c.phase === 'terminated')) {
      pod.status.phase = pr.containers.every((c) => c.terminated?.exitCode === 0) ? 'Succeeded' : 'Failed';
    } else if (pr.containers.some((c) => c.everRan)) {
      pod.status.phase = 'Running';
    } else {
      pod.status.phase = 'Pending';
    }
    if (changed || pod.status.phase !== phase) this.ctx.store.update(pod);
  }


  // -------------------------------------------------------------------------------------------
  // Containers

  private startContainer(pr: PodRuntime, c: ContainerRuntime): void {
    c.phase = 'creating';
    const instance = ++c.instance;
    c.listening = false;
    c.started = false;
    c.ready = false;
    c.draining = false;
    const delay = Math.max(0, c.profile.startup.sample(this.ctx.random.stream(`startup/${c.spec.image}`)));
    const epoch = pr.epoch;
    this.ctx.sim.after(delay, () => {
      if (pr.epoch !== epoch || c.instance !== instance || c.phase !== 'creating') return;
      this.containerRunning(pr, c);
    });
  }

  private containerRunning(pr: PodRuntime, c: ContainerRuntime): void {
    const now = this.ctx.sim.now;
    c.phase = 'running';
    c.terminated = undefined;
    c.everRan = true;
    c.startedAt = now;
    c.listening = true;
    // §4.3: other probes are disabled until a startupProbe succeeds; without one the container is started.
    c.started = c.spec.startupProbe === undefined;
    c.ready = c.started && c.spec.readinessProbe === undefined;
    const name = pr.pod.metadata.name;
    this.ctx.events.normal('Pod', name, 'Created', `Created container ${c.spec.name}`);
    this.ctx.events.normal('Pod', name, 'Started', `Started container ${c.spec.name}`);
    this.emit(pr, c, 'listening');
    this.scheduleCrash(pr, c);
    if (c.started) this.triggerReadiness(pr, c);
    this.syncStatus(pr);
  }

  private scheduleCrash(pr: PodRuntime, c: ContainerRuntime): void {
    const mtbc = c.profile.meanTimeBetweenCrashes;
    if (!(mtbc > 0) || !Number.isFinite(mtbc)) return;
    const t = exponential(mtbc).sample(this.ctx.random.stream(`crash/${c.spec.image}`));
    const epoch = pr.epoch;
    const instance = c.instance;
    this.ctx.sim.after(t, () => {
      if (pr.epoch !== epoch || c.instance !== instance) return;
      if (c.phase === 'running' || c.phase === 'stopping') this.crash(pr, c);
    });
  }

  private crash(pr: PodRuntime, c: ContainerRuntime): void {
    c.listening = false;
    c.draining = false;
    this.emit(pr, c, 'crashed');
    this.containerExited(pr, c, 'Error', 1);
  }

  /** The container's process is gone: record it, then restart (with backoff) or finish the pod. */
  private containerExited(pr: PodRuntime, c: ContainerRuntime, reason: string, exitCode: number): void {
    c.phase = 'terminated';
    c.instance++;
    c.listening = false;
    c.started = false;
    c.ready = false;
    c.draining = false;
    c.terminated = { reason, exitCode, finishedAt: this.ctx.sim.now };
    if (pr.terminating) {
      this.maybeFinishPod(pr);
      return;
    }
    this.scheduleRestart(pr, c);
    this.syncStatus(pr);
  }

  /**
   * §4.5 CrashLoopBackOff, per container: the first restart is immediate; while the backoff entry is live,
   * a restart waits until `delay` has passed since the container exited (FinishedAt), then the delay doubles
   * (10, 20, 40, … capped at 300 s). The entry expires — and the next restart is immediate again — when the
   * exit comes more than 2 × 300 = 600 s after the entry's last update (the previous restart).
   */
  private scheduleRestart(pr: PodRuntime, c: ContainerRuntime): void {
    const policy = pr.pod.spec.restartPolicy;
    const exitCode = c.terminated?.exitCode ?? 1;
    if (policy === 'Never' || (policy === 'OnFailure' && exitCode === 0)) return;
    const finishedAt = c.terminated?.finishedAt ?? this.ctx.sim.now;
    const b = c.backoff;
    const live = b !== undefined && !(finishedAt - b.lastUpdate > 2 * BACKOFF_MAX);
    if (live && this.ctx.sim.now - finishedAt < b.delay) {
      c.phase = 'backoff';
      const instance = c.instance;
      const epoch = pr.epoch;
      this.ctx.events.warning(
        'Pod',
        pr.pod.metadata.name,
        'BackOff',
        `Back-off restarting failed container ${c.spec.name} in pod ${pr.pod.metadata.name}_${pr.pod.metadata.namespace}(${pr.pod.metadata.uid})`,
      );
      this.ctx.sim.schedule(finishedAt + b.delay, () => {
        if (pr.epoch !== epoch || c.instance !== instance || c.phase !== 'backoff' || pr.terminating) return;
        this.restart(pr, c, finishedAt);
      });
      return;
    }
    this.restart(pr, c, finishedAt);
  }

  private restart(pr: PodRuntime, c: ContainerRuntime, finishedAt: number): void {
    const now = this.ctx.sim.now;
    const b = c.backoff;
    if (b === undefined || finishedAt - b.lastUpdate > 2 * BACKOFF_MAX) c.backoff = { delay: BACKOFF_INITIAL, lastUpdate: now };
    else c.backoff = { delay: Math.min(2 * b.delay, BACKOFF_MAX), lastUpdate: now };
    c.restartCount++;
    this.startContainer(pr, c);
    this.syncStatus(pr);
  }

  // -------------------------------------------------------------------------------------------
  // Stopping containers (§4.6)

  /**
   * preStop → stop signal → SIGKILL for one running container. `grace` is counted from now and includes
   * the preStop time (§4.6.3); when preStop is still running at expiry the kubelet abandons it, sends the
   * stop signal and grants a one-off 2 s before SIGKILL.
   */
  private stopContainer(pr: PodRuntime, c: ContainerRuntime, grace: number): void {
    if (c.phase !== 'running') return;
    c.phase = 'stopping';
    const instance = c.instance;
    const epoch = pr.epoch;
    const alive = (): boolean => pr.epoch === epoch && c.instance === instance && c.phase === 'stopping';
    if (!(grace > 0)) {
      this.emit(pr, c, 'stopping', { preStop: 0, grace: 0 });
      this.sigkill(pr, c);
      return;
    }
    const hook = c.spec.lifecycle?.preStop;
    let preStop = 0;
    if (hook?.sleep !== undefined) preStop = Math.max(0, hook.sleep.seconds);
    else if (hook?.exec !== undefined || hook?.httpGet !== undefined) {
      preStop = Math.max(0, c.profile.preStopDuration.sample(this.ctx.random.stream(`prestop/${c.spec.image}`)));
    }
    this.emit(pr, c, 'stopping', { preStop: Math.min(preStop, grace), grace });
    const overrun = preStop > 0 && preStop >= grace;
    const sigtermAt = this.ctx.sim.now + Math.min(preStop, grace);
    const killAt = this.ctx.sim.now + grace + (overrun ? 2 : 0); // §4.6.3 one-off +2 s
    this.ctx.sim.schedule(sigtermAt, () => {
      if (alive()) this.sigterm(pr, c);
    });
    this.ctx.sim.schedule(killAt, () => {
      if (alive()) this.sigkill(pr, c);
    });
  }

  private sigterm(pr: PodRuntime, c: ContainerRuntime): void {
    const wasListening = c.listening;
    c.listening = false;
    this.emit(pr, c, 'sigterm');
    if (wasListening) this.emit(pr, c, 'stopped-listening');
    const drains = c.profile.shutdown === 'drain' && c.serving && this.dataPlane !== undefined;
    if (!drains || this.dataPlane!.inFlight(pr.pod.metadata.uid) <= 0) {
      this.exitAfterSigterm(pr, c);
      return;
    }
    // 'drain': stop accepting, finish in-flight work, exit when idle or after drainTimeout (SIGKILL bounds it).
    c.draining = true;
    const instance = c.instance;
    const epoch = pr.epoch;
    this.ctx.sim.after(Math.max(0, c.profile.drainTimeout), () => {
      if (pr.epoch === epoch && c.instance === instance && c.draining) this.exitAfterSigterm(pr, c);
    });
  }

  private exitAfterSigterm(pr: PodRuntime, c: ContainerRuntime): void {
    c.draining = false;
    this.emit(pr, c, 'exited');
    this.containerExited(pr, c, 'Completed', 0);
  }

  private sigkill(pr: PodRuntime, c: ContainerRuntime): void {
    c.listening = false;
    c.draining = false;
    this.emit(pr, c, 'killed');
    this.containerExited(pr, c, 'Error', 137);
  }

  /** The kubelet observed the pod's deletionTimestamp (§4.6.2). */
  private terminatePod(pr: PodRuntime): void {
    if (pr.terminating || pr.finished) return;
    pr.terminating = true;
    const pod = pr.pod;
    const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds;
    for (const c of pr.containers) {
      if (c.phase === 'running') {
        this.ctx.events.normal('Pod', pod.metadata.name, 'Killing', `Stopping container ${c.spec.name}`);
        this.stopContainer(pr, c, grace);
      } else if (c.phase === 'stopping' && !(grace > 0)) {
        this.sigkill(pr, c);
      } else if (c.phase === 'creating' || c.phase === 'backoff') {
        c.instance++; // cancels the pending start
        c.phase = 'terminated';
        c.terminated = { reason: 'ContainerStatusUnknown', exitCode: 137, finishedAt: this.ctx.sim.now };
      }
    }
    this.maybeFinishPod(pr);
  }

  /** §4.6.4: once every container stopped, the pod gets a terminal phase and its object is removed. */
  private maybeFinishPod(pr: PodRuntime): void {
    if (pr.finished) return;
    if (!pr.containers.every((c) => c.phase === 'terminated')) {
      this.syncStatus(pr);
      return;
    }
    this.syncStatus(pr);
    const phase = pr.containers.every((c) => c.terminated?.exitCode === 0) ? 'Succeeded' : 'Failed';
    this.drop(pr, false);
    this.finishRemoval(pr.pod, phase);
  }

  private finishRemoval(pod: Pod, phase: 'Succeeded' | 'Failed'): void {
    if (this.ctx.store.get('Pod', pod.metadata.name, pod.metadata.namespace) !== pod) return;
    pod.status.phase = phase;
    for (const s of pod.status.containerStatuses) s.ready = false;
    setCondition(pod.status.conditions, { type: 'ContainersReady', status: 'False', reason: 'PodCompleted' }, this.ctx.sim.now);
    setCondition(pod.status.conditions, { type: 'Ready', status: 'False', reason: 'PodCompleted' }, this.ctx.sim.now);
    this.ctx.store.update(pod);
    this.ctx.store.remove(pod);
  }

  /** Forgets a pod: timers go stale, its IP is released; `killProcesses` when the object vanished under it. */
  private drop(pr: PodRuntime, killProcesses: boolean): void {
    if (killProcesses && this.machines.isUp(pr.node)) {
      for (const c of pr.containers) if (c.phase === 'running' || c.phase === 'stopping') this.emit(pr, c, 'killed');
    }
    pr.finished = true;
    pr.epoch++;
    for (const c of pr.containers) c.listening = false;
    this.pods.delete(pr.pod.metadata.uid);
    this.releaseIP(pr.node, pr.ip);
  }

  // -------------------------------------------------------------------------------------------
  // Probes (§4.3)

  private startProbeWorker(pr: PodRuntime, c: ContainerRuntime, kind: ProbeKind, probe: ResolvedProbe): void {
    const w: ProbeWorker = { kind, probe, instance: -1, lastResult: undefined, run: 0, result: undefined, onHold: false };
    c.workers.push(w);
    const epoch = pr.epoch;
    const start = this.ctx.sim.now;
    // Ticker anchored at admission: tick k at start + k × period (the first run finds nothing running).
    const tick = (k: number): void => {
      if (pr.epoch !== epoch) return;
      this.runProbe(pr, c, w);
      this.ctx.sim.schedule(start + (k + 1) * probe.periodSeconds, tick, k + 1);
    };
    tick(0);
  }

  /** A started container without a readiness result gets an immediate readiness run (§4.3). */
  private triggerReadiness(pr: PodRuntime, c: ContainerRuntime): void {
    const w = c.workers.find((x) => x.kind === 'readiness');
    if (w !== undefined && (w.instance !== c.instance || w.result === undefined)) this.runProbe(pr, c, w);
  }

  private runProbe(pr: PodRuntime, c: ContainerRuntime, w: ProbeWorker): void {
    if (c.phase !== 'running' && c.phase !== 'stopping') return;
    if (w.instance !== c.instance) {
      w.instance = c.instance;
      w.lastResult = undefined;
      w.run = 0;
      w.result = undefined;
      w.onHold = false;
    }
    if (w.onHold) return;
    if (w.kind !== 'readiness' && (pr.terminating || c.phase === 'stopping')) return;
    if (w.kind === 'startup' ? c.started : !c.started) return;
    const now = this.ctx.sim.now;
    if (now - c.startedAt < w.probe.initialDelaySeconds) return;

    const healthy = c.healthOverride ?? c.profile.healthy;
    // tcpSocket only checks the port is open; the others hit the app's health endpoint.
    const ok = c.listening && (w.probe.mechanism === 'tcpSocket' || healthy);
    const result: ProbeResult = ok ? 'success' : 'failure';
    const name = pr.pod.metadata.name;
    if (!ok) {
      const label = w.kind === 'readiness' ? 'Readiness' : w.kind === 'liveness' ? 'Liveness' : 'Startup';
      this.ctx.events.warning('Pod', name, 'Unhealthy', `${label} probe failed: ${failureDetail(w.probe, c.listening, pr.ip, c.spec)}`);
    }
    w.run = result === w.lastResult ? w.run + 1 : 1;
    w.lastResult = result;
    if (result === 'failure' && w.run < w.probe.failureThreshold) return;
    if (result === 'success' && w.run < w.probe.successThreshold) return;
    const changed = w.result !== result;
    w.result = result;
    if (!changed) return;

    if (w.kind === 'readiness') {
      c.ready = result === 'success';
      this.syncStatus(pr);
    } else if (result === 'failure') {
      w.onHold = true;
      this.ctx.events.normal('Pod', name, 'Killing', `Container ${c.spec.name} failed ${w.kind} probe, will be restarted`);
      this.stopContainer(pr, c, w.probe.terminationGracePeriodSeconds ?? pr.pod.spec.terminationGracePeriodSeconds);
    } else if (w.kind === 'startup') {
      c.started = true;
      if (c.spec.readinessProbe === undefined) c.ready = true;
      else this.triggerReadiness(pr, c);
      this.syncStatus(pr);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Machines (§6.1)

  private machineDown(node: string): void {
    for (const pr of [...this.pods.values()]) {
      if (pr.node !== node) continue;
      pr.epoch++; // nothing on this machine runs any more, and nobody reports about it
      for (const c of pr.containers) {
        c.listening = false;
        c.draining = false;
        c.phase = 'dead';
        c.instance++;
      }
      const serving = pr.containers[0];
      if (serving !== undefined) this.emit(pr, serving, 'node-down');
    }
    for (const uid of [...this.pendingAdmit]) {
      const p = this.findPod(uid);
      if (p?.spec.nodeName === node) this.pendingAdmit.delete(uid);
    }
  }

  /** The machine rebooted: the kubelet renews its lease and runs its pods afresh (their containers restart). */
  private machineUp(node: string): void {
    this.machines.renewLease(node, this.ctx.sim.now);
    for (const pr of [...this.pods.values()]) {
      if (pr.node !== node) continue;
      const carry = new Map(pr.containers.map((c) => [c.spec.name, c.restartCount + (c.everRan ? 1 : 0)]));
      this.drop(pr, false);
      pr.pod.status.podIP = undefined;
      if (pr.pod.metadata.deletionTimestamp !== undefined) this.finishRemoval(pr.pod, 'Failed');
      else this.admit(pr.pod, carry);
    }
    for (const p of this.ctx.store.list('Pod')) if (p.spec.nodeName === node && !this.pods.has(p.metadata.uid)) this.onPod('MODIFIED', p);
  }

  private findPod(uid: string): Pod | undefined {
    return this.ctx.store.list('Pod').find((p) => p.metadata.uid === uid);
  }

  // -------------------------------------------------------------------------------------------
  // Helpers

  private emit(pr: PodRuntime, c: ContainerRuntime, what: RuntimeChangeKind, extra?: { preStop: number; grace: number }): void {
    if (!c.serving) return;
    const change: RuntimeChange = { pod: pr.pod, container: c.spec.name, what, t: this.ctx.sim.now, ...extra };
    for (const l of [...this.listeners]) l(change);
  }

  /** Lowest free host number 2…254 in the node's /24: 10.244.<node index>.<host>. */
  private allocateIP(node: string): string | undefined {
    if (!this.nodeIndex.has(node)) this.nodeIndex.set(node, this.nodeIndex.size);
    const idx = this.nodeIndex.get(node)!;
    let used = this.usedIPs.get(node);
    if (used === undefined) this.usedIPs.set(node, (used = new Set()));
    for (let h = 2; h <= 254; h++) {
      if (!used.has(h)) {
        used.add(h);
        return `10.244.${idx}.${h}`;
      }
    }
    return undefined;
  }

  private releaseIP(node: string, ip: string): void {
    const host = Number(ip.split('.')[3]);
    this.usedIPs.get(node)?.delete(host);
  }
}

function resolveProbe(p: Partial<Probe>, kind: ProbeKind): ResolvedProbe {
  const mechanism = p.exec !== undefined ? 'exec' : p.tcpSocket !== undefined ? 'tcpSocket' : p.grpc !== undefined ? 'grpc' : 'httpGet';
  const r: ResolvedProbe = {
    mechanism,
    initialDelaySeconds: Math.max(0, p.initialDelaySeconds ?? PROBE_DEFAULTS.initialDelaySeconds),
    periodSeconds: Math.max(1, p.periodSeconds ?? PROBE_DEFAULTS.periodSeconds),
    // successThreshold must be 1 for liveness and startup (§4.3).
    successThreshold: kind === 'readiness' ? Math.max(1, p.successThreshold ?? PROBE_DEFAULTS.successThreshold) : 1,
    failureThreshold: Math.max(1, p.failureThreshold ?? PROBE_DEFAULTS.failureThreshold),
  };
  if (p.terminationGracePeriodSeconds !== undefined) r.terminationGracePeriodSeconds = p.terminationGracePeriodSeconds;
  return r;
}

function failureDetail(probe: ResolvedProbe, listening: boolean, ip: string, spec: Container): string {
  const port = spec.ports?.[0]?.containerPort ?? 8080;
  if (probe.mechanism === 'exec') return listening ? 'command exited with status 1' : 'command exited with status 1: not serving';
  if (!listening) return `dial tcp ${ip}:${port}: connect: connection refused`;
  if (probe.mechanism === 'grpc') return 'service unhealthy (responded with "NOT_SERVING")';
  return 'HTTP probe failed with statuscode: 503';
}

/** Equal as the API would serialise them. */
function sameContainerStatus(a: ContainerStatus, b: ContainerStatus): boolean {
  if (a.name !== b.name || a.image !== b.image || a.ready !== b.ready || a.started !== b.started || a.restartCount !== b.restartCount) return false;
  const x = a.state, y = b.state;
  if ((x.waiting === undefined) !== (y.waiting === undefined) || x.waiting?.reason !== y.waiting?.reason) return false;
  if ((x.running === undefined) !== (y.running === undefined) || x.running?.startedAt !== y.running?.startedAt) return false;
  const s = x.terminated, t = y.terminated;
  if ((s === undefined) !== (t === undefined)) return false;
  return s === undefined || (s.reason === t!.reason && s.exitCode === t!.exitCode && s.finishedAt === t!.finishedAt);
}

function containerStatus(c: ContainerRuntime): ContainerStatus {
  const base = { name: c.spec.name, image: c.spec.image, ready: c.ready, started: c.started, restartCount: c.restartCount };
  switch (c.phase) {
    case 'running':
    case 'stopping':
      return { ...base, state: { running: { startedAt: c.startedAt } } };
    case 'backoff':
      return { ...base, state: { waiting: { reason: 'CrashLoopBackOff' } } };
    case 'terminated':
    case 'dead':
      return c.terminated !== undefined
        ? { ...base, state: { terminated: { ...c.terminated } } }
        : { ...base, state: { waiting: { reason: 'ContainerCreating' } } };
    default:
      return { ...base, state: { waiting: { reason: 'ContainerCreating' } } };
  }
}

/** Ready condition of a pod (helper for tests and the data plane). */
export function readyCondition(pod: Pod): Condition | undefined {
  return getCondition(pod.status.conditions, 'Ready');
}
