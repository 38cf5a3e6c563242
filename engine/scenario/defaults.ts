/**
 * Every default the scenario loader applies, in one place.
 *
 * Kubernetes defaults (kubernetes-semantics.md §0, §4.3, §5.6) are applied to manifests the way the
 * API server's defaulting does, so the simulated objects look like `kubectl get -o yaml` would show.
 * Scenario defaults are kubesim's own choices; they are what `kubesim run deploy.yaml` uses when the
 * file has manifests and no Scenario document (DESIGN.md "Contracts").
 */

/** Kubernetes API defaults for the kinds the model knows. */
export const KUBERNETES_DEFAULTS = {
  namespace: 'default',
  deployment: {
    replicas: 1,
    strategyType: 'RollingUpdate' as const,
    maxSurge: '25%',
    maxUnavailable: '25%',
    minReadySeconds: 0,
    /** Must be greater than minReadySeconds. */
    progressDeadlineSeconds: 600,
    revisionHistoryLimit: 10,
    paused: false,
  },
  pod: {
    terminationGracePeriodSeconds: 30,
    /** The only value a Deployment's pod template allows. */
    restartPolicy: 'Always' as const,
  },
  /** §4.3; a 0 in periodSeconds/timeoutSeconds/successThreshold/failureThreshold also means "default", as in the API. */
  probe: {
    initialDelaySeconds: 0,
    periodSeconds: 10,
    timeoutSeconds: 1,
    successThreshold: 1,
    failureThreshold: 3,
  },
  /** httpGet probes and hooks without a path use `/`. */
  httpGetPath: '/',
  containerPortProtocol: 'TCP',
  service: {
    type: 'ClusterIP' as const,
    sessionAffinity: 'None' as const,
    /** sessionAffinityConfig.clientIP.timeoutSeconds when sessionAffinity is ClientIP; allowed 1..86400. */
    clientIPTimeoutSeconds: 10800,
    maxClientIPTimeoutSeconds: 86400,
    publishNotReadyAddresses: false,
    internalTrafficPolicy: 'Cluster' as const,
    protocol: 'TCP',
    /** targetPort defaults to the Service port. */
  },
} as const;

/**
 * kubesim's scenario defaults. A file of bare manifests (no Scenario document) runs as:
 *
 *   duration 60s · warmup 0s · seed 1 · replications 1
 *   cluster: 3 nodes named node-1…node-3, each 4 CPU / 16Gi; kube-proxy iptables with a 1s sync delay
 *            (the iptables minSyncPeriod, §5.2); warm start (the Deployments' pods are running and
 *            Ready at t=0)
 *   traffic: one steady open workload per Service that has a selector (ExternalName and selector-less
 *            Services get none): 50 requests/s, Poisson arrivals, 10s client timeout, no retries,
 *            no keep-alive (every request opens a new connection), named after the Service
 *   images:  every container image gets defaultBehavior() (engine/behavior/profile.ts)
 *   timeline: empty · slos: none · variants: none
 *
 * A Scenario document that omits a field gets the same value; omitting `traffic` altogether also gets
 * the default traffic (write `traffic: []` for none).
 */
export const SCENARIO_DEFAULTS = {
  duration: 60,
  warmup: 0,
  seed: 1,
  replications: 1,
  nodes: 3,
  nodeName: (i: number): string => `node-${i + 1}`,
  nodeCpu: 4,
  nodeMemory: 16 * 2 ** 30,
  proxyMode: 'iptables' as const,
  /** IPVS scheduler when mode is ipvs (kube-proxy's default, §5.4). */
  ipvsScheduler: 'rr' as const,
  proxySyncDelay: 1,
  start: 'warm' as const,
  traffic: {
    rate: 50,
    arrivals: 'poisson' as const,
    timeout: 10,
    retries: { max: 0, backoff: 0.1, jitter: 0 },
    keepAlive: { enabled: false },
  },
} as const;
