/** The measurement layer of a run: outcomes, latency histograms, time series, SLOs and the recorder. */
export {
  OUTCOMES,
  FAILURE_OUTCOMES,
  OUTCOME_INDEX,
  OUTCOME_COUNT,
  isOutcome,
  outcomeRecord,
  type Outcome,
  type FailureOutcome,
} from './outcomes.js';
export { LatencyHistogram, HISTOGRAM_MAX_MICROS } from './histogram.js';
export {
  TimeSeries,
  SERIES_LATENCY_CELLS,
  MAX_SERIES_BUCKETS,
  type TimeSeriesOptions,
  type TimeSeriesJSON,
} from './timeseries.js';
export {
  parseSlo,
  evaluateSlo,
  evaluateSlos,
  metricName,
  rolloutStatsOf,
  SloError,
  type Slo,
  type SloMetric,
  type SloOperator,
  type SloResult,
  type MetricsSnapshot,
  type RolloutStats,
} from './slo.js';
export {
  Recorder,
  mergeRunMetrics,
  poolTotals,
  snapshotOf,
  MAX_POD_INDEX,
  type RecorderOptions,
  type RunMetricsJSON,
  type LatencyMsJSON,
} from './recorder.js';
