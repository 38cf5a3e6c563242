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
