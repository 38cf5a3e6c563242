import type { Simulation } from '../kernel/simulation.js';
import type { RandomStreams } from '../kernel/random.js';
import { defaultBehavior, type BehaviorProfile } from '../behavior/profile.js';
import { defaultClusterConfig, type ClusterConfig, type ClusterContext } from './context.js';
import { DeploymentController } from './controllers/deployment/controller.js';
import { ReplicaSetController } from './controllers/replicaset.js';
import { EndpointSliceController } from './endpointslice.js';
import { EventLog } from './events.js';
import { Kubelet } from './kubelet.js';
import { NodeLifecycleController } from './nodelifecycle.js';
import { RolloutTracker } from './rollouts.js';
import { Scheduler } from './scheduler.js';
import { Store } from './store.js';

/**
 * A whole control plane on one Simulation: the API store and every controller, started in the order
 * the real components come up. Objects are added through `ctx.store` (or the kubectl helpers);
 * controllers react after `config.controllerDelay`.
 */
export interface Cluster {
  readonly ctx: ClusterContext;
  readonly kubelet: Kubelet;
  readonly rollouts: RolloutTracker;
  readonly endpointSlices: EndpointSliceController;
}

export interface ClusterOptions {
  sim: Simulation;
  random: RandomStreams;
  config?: Partial<ClusterConfig>;
  /** Behaviour of an image; images it does not know get `defaultBehavior()`. */
  behaviors?: ReadonlyMap<string, BehaviorProfile>;
}

export function createCluster(options: ClusterOptions): Cluster {
  const { sim, random } = options;
  const fallback = defaultBehavior();
  const behaviors = options.behaviors ?? new Map<string, BehaviorProfile>();
  const ctx: ClusterContext = {
    sim,
    random,
    store: new Store(() => sim.now),
    events: new EventLog(() => sim.now),
    config: { ...defaultClusterConfig(), ...options.config },
    behavior: (image) => behaviors.get(image) ?? fallback,
  };
  const rollouts = new RolloutTracker(ctx);
  new DeploymentController(ctx);
  new ReplicaSetController(ctx);
  new Scheduler(ctx);
  const kubelet = new Kubelet(ctx);
  new NodeLifecycleController(ctx);
  const endpointSlices = new EndpointSliceController(ctx);
  return { ctx, kubelet, rollouts, endpointSlices };
}
