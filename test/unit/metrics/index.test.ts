import { describe, expect, it } from 'vitest';
import * as metrics from '../../../engine/metrics/index.js';

describe('engine/metrics public surface', () => {
  it('exports exactly the documented values', () => {
    expect(Object.keys(metrics).sort()).toEqual(
      [
        'FAILURE_OUTCOMES',
        'HISTOGRAM_MAX_MICROS',
        'LatencyHistogram',
        'MAX_POD_INDEX',
        'MAX_SERIES_BUCKETS',
        'OUTCOMES',
        'OUTCOME_COUNT',
        'OUTCOME_INDEX',
        'Recorder',
        'SERIES_LATENCY_CELLS',
        'SloError',
        'TimeSeries',
        'evaluateSlo',
        'evaluateSlos',
        'isOutcome',
        'mergeRunMetrics',
        'poolTotals',
        'metricName',
        'outcomeRecord',
        'parseSlo',
        'rolloutStatsOf',
        'snapshotOf',
      ].sort(),
    );
  });
});
