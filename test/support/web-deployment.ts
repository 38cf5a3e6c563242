/**
 * The `web` Deployment (app=web, one container `app` running app:1) as YAML, for generated-scenario
 * tests: the fields they vary, the rest fixed. `container` lines go under the container, indented.
 */
export function webDeploymentYaml(o: {
  replicas: number;
  minReadySeconds: number;
  strategy: string;
  terminationGracePeriodSeconds: number;
  container: string[];
  progressDeadlineSeconds?: number;
}): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: ${o.replicas}
${o.progressDeadlineSeconds === undefined ? '' : `  progressDeadlineSeconds: ${o.progressDeadlineSeconds}\n`}  minReadySeconds: ${o.minReadySeconds}
  strategy: ${o.strategy}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: ${o.terminationGracePeriodSeconds}
      containers:
      - name: app
        image: app:1
${o.container.map((l) => `        ${l}\n`).join('')}`;
}
