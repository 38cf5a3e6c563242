import type { Simulation } from '../kernel/simulation.js';
import type { RandomStreams } from '../kernel/random.js';
import type { BehaviorProfile } from '../behavior/profile.js';
import type { EventLog } from './events.js';
import type { Store } from './store.js';

/** Tunables of the control plane. Defaults cite kubernetes-semantics.md. */
export interface ClusterConfig {
  /** Reaction delay of every controller to a watch event (§1.12: 10–100 ms; default 20 ms). */
  controllerDelay: number;
  /** Node lifecycle controller check period (§0 `--node-monitor-period`, 5 s). */
  nodeMonitorPeriod: number;
  /** Heartbeat age after which a node turns Ready=Unknown (§0/§6.1: 50 s since v1.32). */
  nodeMonitorGracePeriod: number;
  /** Default NoExecute toleration for not-ready/unreachable taints (§6.1: 300 s). */
  defaultTolerationSeconds: number;
  /** Kubelet lease renewal period (§6.1: 10 s). */
  nodeLeaseRenewPeriod: number;
}

export function defaultClusterConfig(): ClusterConfig {
  return {
    controllerDelay: 0.02,
    nodeMonitorPeriod: 5,
    nodeMonitorGracePeriod: 50,
    defaultTolerationSeconds: 300,
    nodeLeaseRenewPeriod: 10,
  };
}

/** What every controller is constructed with. */
export interface ClusterContext {
  readonly sim: Simulation;
  readonly store: Store;
  readonly events: EventLog;
  readonly random: RandomStreams;
  readonly config: ClusterConfig;
  /** The behaviour profile of a container image (defaults for images the scenario does not describe). */
  behavior(image: string): BehaviorProfile;
}
