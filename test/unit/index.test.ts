import { describe, expect, it } from 'vitest';
import * as kubesim from '../../engine/index.js';
import { buildReport } from '../../reports/model.js';

describe('the public API', () => {
  it('exports the documented names only', () => {
    expect(Object.keys(kubesim).sort()).toEqual(
      [
        'RandomStreams', 'ScenarioError', 'Simulation', 'distributionFrom', 'evaluateSlos', 'expandVariants', 'formatDiagnostic',
        'formatDuration', 'loadScenarioFiles', 'parseDuration', 'parseRate', 'parseSlo', 'replicationSeed', 'runScenarios',
        'scenarioJsonSchema', 'simulate',
      ].sort(),
    );
  });

  it('runs a scenario from a file to a report, as the CLI does', async () => {
    const { scenarios } = kubesim.loadScenarioFiles(['scenarios/web-app.yaml']);
    const report = buildReport(await kubesim.runScenarios(scenarios));
    expect(report.scenarios[0]!.variants[0]!.runs[0]!.requests.total).toBeGreaterThan(30_000);
    expect(report.slosPass).toBe(true);
  });
});
