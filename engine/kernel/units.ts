/**
 * Durations and rates as users write them (Kubernetes, k6, Go): `250ms`, `30s`, `5m`, `1h`, `1m30s`,
 * `1.5s`, `500us`; rates `500/s`, `30000/m`, `10/h`, `2/ms`. A bare number is seconds (durations) or
 * per second (rates). Parsers throw `UnitError`, whose message says what was expected.
 */
export class UnitError extends Error {
  override name = 'UnitError';
}

const DURATION_UNITS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
};

const PART = /(\d+(?:\.\d+)?|\.\d+)(ns|us|\u00b5s|ms|s|m|h|d)/y; // \u00b5: µ (keeps the bundle ASCII, which Node decodes faster)

/** Parses a duration into seconds. Accepts a non-negative number (seconds) or a string like `1m30s`. */
export function parseDuration(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw new UnitError(`expected a non-negative duration, got ${input}`);
    return input;
  }
  const text = input.trim();
  if (text !== '' && /^\d+(\.\d+)?$/.test(text)) return Number(text);
  let total = 0;
  let pos = 0;
  PART.lastIndex = 0;
  while (pos < text.length) {
    PART.lastIndex = pos;
    const m = PART.exec(text);
    if (m === null) break;
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    pos = PART.lastIndex;
  }
  if (text === '' || pos !== text.length) {
    throw new UnitError(`expected a duration like 250ms, 30s, 5m, 1h or 1m30s, got "${input}"`);
  }
  return total;
}

const RATE_UNITS: Record<string, number> = { ms: 1000, s: 1, sec: 1, m: 1 / 60, min: 1 / 60, h: 1 / 3600 };

/** Parses a rate into events per second. Accepts a non-negative number (per second) or `N/s|m|h|ms`. */
export function parseRate(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw new UnitError(`expected a non-negative rate, got ${input}`);
    return input;
  }
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(?:\/\s*(ms|s|sec|m|min|h))?\s*$/.exec(input);
  if (m === null) throw new UnitError(`expected a rate like 500/s, 30000/m or 10/h, got "${input}"`);
  return Number(m[1]) * RATE_UNITS[m[2] ?? 's']!;
}

/** Formats seconds compactly for messages and reports (`250ms`, `30s`, `5m`, `1h30m`). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  if (seconds < 1) return `${round(seconds * 1000)}ms`;
  if (seconds < 60) return `${round(seconds)}s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds - h * 3600) / 60);
  const s = round(seconds - h * 3600 - m * 60);
  return `${h > 0 ? `${h}h` : ''}${m > 0 ? `${m}m` : ''}${s > 0 ? `${s}s` : ''}`;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
