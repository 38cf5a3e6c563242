import { describe, expect, it } from 'vitest';
import { loadScenarioFiles } from '../../../engine/scenario/load.js';

describe('bare manifest files given together', () => {
  it('form one cluster: each file alone loads, together a name clash says why', () => {
    expect(loadScenarioFiles(['test/fixtures/bare/a.yaml']).scenarios).toHaveLength(1);
    expect(loadScenarioFiles(['test/fixtures/bare/b.yaml']).scenarios).toHaveLength(1);
    expect(() => loadScenarioFiles(['test/fixtures/bare/a.yaml', 'test/fixtures/bare/b.yaml'])).toThrow(
      'test/fixtures/bare/b.yaml:3:18: metadata.name: duplicate Deployment default/frontend (first defined at test/fixtures/bare/a.yaml:1:1); manifest files given without a Scenario form one cluster — run or validate them one at a time',
    );
  });
});

describe('set-rate', () => {
  it('is refused at load time for a closed workload (it has no rate)', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/kubesim-`);
    const file = `${dir}/s.yaml`;
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Service',
        'metadata: {name: web}',
        'spec: {selector: {app: web}, ports: [{port: 80}]}',
        '---',
        'apiVersion: kubesim.dev/v1alpha1',
        'kind: Scenario',
        'metadata: {name: s}',
        'spec:',
        '  traffic: [{name: users, service: web, users: 5}]',
        '  timeline: [{at: 5s, action: set-rate, target: users, rate: 10/s}]',
        '',
      ].join('\n'),
    );
    expect(() => loadScenarioFiles([file])).toThrow(/s\.yaml:11:49: spec\.timeline\[0\]\.target: set-rate changes the rate of an open workload; traffic "users" is closed/);
  });
});
