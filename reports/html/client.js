/*
 * kubesim report.html client script (inlined into the page by reports/html.ts; plain JavaScript, not
 * compiled, not part of the Node coverage: it runs in the browser and is tested there by
 * test/e2e/html.test.ts). It reads the page data from #kubesim-data and builds every element with
 * createElement and textContent: no string from the report is ever parsed as HTML.
 * Globals it sets: window.__kubesimCharts (the number of charts drawn; read by the tests).
 */
(function () {
  'use strict';

  /* global uPlot */
  var DATA = JSON.parse(document.getElementById('kubesim-data').textContent);
  var app = document.getElementById('app');
  // comparisons come as tuples (small for big sweeps): [difference, ci95, verdict, reason?]
  DATA.scenarios.forEach(function (s) {
    if (!s.comparison) return;
    s.comparison.variants.forEach(function (c) {
      Object.keys(c.metrics).forEach(function (id) {
        var t = c.metrics[id];
        c.metrics[id] = { difference: t[0], ci95: t[1], verdict: t[2], reason: t[3] };
      });
    });
  });

  // Okabe–Ito
  var OI = { orange: '#E69F00', sky: '#56B4E9', green: '#009E73', yellow: '#F0E442', blue: '#0072B2', vermillion: '#D55E00', purple: '#CC79A7', black: '#000000', grey: '#999999' };
  var PALETTE = [OI.blue, OI.orange, OI.green, OI.vermillion, OI.purple, OI.sky, OI.black, OI.yellow];
  var OUTCOMES = ['ok', 'no_endpoints', 'refused', 'reset', 'timeout', 'overload', 'app_error'];
  var OUTCOME_STYLE = {
    ok: { color: OI.green, pattern: null, dash: [] },
    no_endpoints: { color: OI.black, pattern: 'cross', dash: [6, 3] },
    refused: { color: OI.vermillion, pattern: 'diag', dash: [2, 2] },
    reset: { color: OI.sky, pattern: 'back', dash: [8, 3, 2, 3] },
    timeout: { color: OI.orange, pattern: 'dots', dash: [4, 4] },
    overload: { color: OI.purple, pattern: 'vert', dash: [1, 3] },
    app_error: { color: OI.blue, pattern: 'horiz', dash: [10, 4] },
  };
  var STATES = ['Ready', 'Running', 'Pending', 'Terminating'];
  var STATE_STYLE = {
    Ready: { alpha: 0.75, pattern: null, dash: [] },
    Running: { alpha: 0.4, pattern: 'dots', dash: [6, 3] },
    Pending: { alpha: 0.2, pattern: 'cross', dash: [2, 2] },
    Terminating: { alpha: 0.35, pattern: 'diag', dash: [8, 3, 2, 3] },
  };
  var METRIC_LABELS = {
    availability: 'availability',
    failures: 'failed requests',
    'failures.no_endpoints': 'failures: no_endpoints',
    'failures.refused': 'failures: refused',
    'failures.reset': 'failures: reset',
    'failures.timeout': 'failures: timeout',
    'failures.overload': 'failures: overload',
    'failures.app_error': 'failures: app_error',
    'latency.p50': 'latency p50',
    'latency.p99': 'latency p99',
    'rollout.duration': 'rollout duration',
  };
  var FOREST_MAX_ALL = 12; // compared variants up to which the forest plot shows every metric at once
  var WIDE_MAX = 8; // variants up to which the SLO and key-figure tables have a column per variant
  var VARIANT_ROWS = 50; // rows per variant table drawn at first (a button draws the rest)

  var chartCount = 0;
  window.__kubesimCharts = 0;

  // ---------------------------------------------------------------------------------------------
  // DOM helpers: text only

  function el(tag, attrs) {
    var e = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        if (!Object.prototype.hasOwnProperty.call(attrs, k) || attrs[k] === undefined || attrs[k] === null) continue;
        if (k === 'text') e.textContent = String(attrs[k]);
        else if (k === 'class') e.className = attrs[k];
        else e.setAttribute(k, String(attrs[k]));
      }
    }
    for (var i = 2; i < arguments.length; i++) append(e, arguments[i]);
    return e;
  }
  function append(parent, child) {
    if (child === undefined || child === null || child === false) return;
    if (Array.isArray(child)) child.forEach(function (c) { append(parent, c); });
    else if (typeof child === 'string' || typeof child === 'number') parent.appendChild(document.createTextNode(String(child)));
    else parent.appendChild(child);
  }
  var SVGNS = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVGNS, tag);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // ---------------------------------------------------------------------------------------------
  // Numbers

  function count(x) { return x === null || x === undefined ? 'n/a' : Math.round(x).toLocaleString('en-US'); }
  function num(x, d) {
    if (x === null || x === undefined || !isFinite(x)) return 'n/a';
    var s = Number(x).toFixed(d);
    return s.indexOf('.') >= 0 ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
  }
  function pct(x) { return x === null || x === undefined ? 'n/a' : num(x * 100, 3) + '%'; }
  function ms(x) { return x === null || x === undefined ? 'n/a' : num(x, x >= 100 ? 0 : 1) + ' ms'; }
  function secs(x) { return x === null || x === undefined ? 'n/a' : num(x, 2) + ' s'; }
  function fixed(x, d) { return x === null || x === undefined ? 'n/a' : Number(x).toFixed(d); }
  function sloValue(v, unit) {
    if (v === null || v === undefined) return 'n/a';
    if (unit === 'fraction') return pct(v);
    if (unit === 'seconds') return v < 10 ? ms(v * 1000) : secs(v);
    return count(v);
  }
  /** Up to `d` decimals, more for small values (3 significant digits), never "-0". */
  function smart(x, d) {
    if (x === 0) return '0';
    var a = Math.abs(x);
    var digits = a >= 1 ? d : Math.min(6, Math.max(d, 2 - Math.floor(Math.log10(a))));
    var s = num(x, digits);
    return s === '-0' ? '0' : s;
  }
  function metricValue(id, x, signed) {
    if (x === null || x === undefined) return 'n/a';
    var sign = signed && x > 0 ? '+' : '';
    if (id === 'availability') return sign + smart(x * 100, 3) + (signed ? ' pp' : '%');
    if (id.indexOf('latency') === 0) return sign + smart(x, 1) + ' ms';
    if (id === 'rollout.duration') return sign + smart(x, 2) + ' s';
    return sign + smart(x, 1) + ' req';
  }
  function plural(n, word) { return n + ' ' + word + (n === 1 ? '' : 's'); }

  // ---------------------------------------------------------------------------------------------
  // Page

  var scenarioStates = [];

  function renderScenario(s, si) {
    var st = { s: s, si: si, variant: 0, charts: [], highlight: null, syncing: false };
    scenarioStates.push(st);
    var sec = el('section', { class: 'scenario', id: 'scenario-' + si, 'aria-labelledby': 'scenario-' + si + '-title' });
    app.appendChild(sec); // in the document before the charts are made: they take its width
    sec.appendChild(el('h2', { id: 'scenario-' + si + '-title', text: s.name }));
    sec.appendChild(el('p', { class: 'muted small' },
      el('span', { class: 'mono', text: s.file }),
      ' · seed ' + s.seed + ' · ' + secs(s.durationS) + ' simulated' + (s.warmupS > 0 ? ' (warmup ' + secs(s.warmupS) + ')' : '') +
      ' · ' + plural(s.replications, 'replication') + ' · ' + plural(s.variants.length, 'variant')));
    sec.appendChild(verdictBanner(s));
    // side by side when both fit (a laptop), one under the other otherwise
    sec.appendChild(el('div', { class: 'side-by-side' },
      el('div', null, el('h3', { text: 'SLOs' }), sloTable(s)),
      el('div', null, el('h3', { text: s.replications > 1 ? 'Key figures (pooled over the replications)' : 'Key figures' }), figuresTable(s))));

    var body = el('div', { class: 'variant-body' });
    if (s.variants.length > 1) {
      var sel = el('select', { id: 'variant-' + si, 'data-role': 'variant-select' });
      s.variants.forEach(function (v, vi) { sel.appendChild(el('option', { value: vi, text: v.name + (vi === 0 ? ' (baseline)' : '') })); });
      sel.addEventListener('change', function () { st.variant = Number(sel.value); renderVariant(st, body); });
      sec.appendChild(el('div', { class: 'variant-bar controls' },
        el('label', { for: 'variant-' + si }, 'Variant shown in findings, charts, pods and events:'), sel,
        el('span', { class: 'timeline-print', text: '' })));
    }
    sec.appendChild(body);
    renderVariant(st, body);

    if (s.variants.length > 1 && s.comparison) {
      sec.appendChild(el('h3', { text: 'Variants ranked' }));
      sec.appendChild(rankedTable(s));
      sec.appendChild(el('h3', { text: 'Paired difference from the baseline (' + s.comparison.baseline + '), 95% interval' }));
      sec.appendChild(forest(s, si));
    }
    var notes = s.notes.slice();
    if (notes.length > 0) {
      sec.appendChild(el('h3', { text: 'Notes' }));
      sec.appendChild(el('ul', { class: 'notes' }, notes.map(function (n) { return el('li', { class: 'mono', text: n }); })));
    }
    return sec;
  }

  function verdictBanner(s) {
    var failing = [];
    var total = 0;
    s.variants.forEach(function (v) {
      v.summary.slos.forEach(function (x) { total++; if (!x.pass) failing.push({ v: v, x: x }); });
    });
    var errors = s.variants.reduce(function (n, v) { return n + v.errors.length; }, 0);
    var pass = s.variants.every(function (v) { return v.summary.pass; }) && errors === 0;
    var runs = s.variants.reduce(function (n, v) { return n + v.summary.runs; }, 0);
    var head;
    var detail;
    if (failing.length > 0) {
      head = '✗ FAIL: ' + plural(failing.length, 'SLO check') + ' failed';
      detail = failing.slice(0, 6).map(function (f) {
        return (s.variants.length > 1 ? f.v.name + ': ' : '') + f.x.expr + ' (held in ' + f.x.passed + ' of ' + f.x.runs + ' runs; pooled ' + sloValue(f.x.pooledValue, f.x.unit) + ')';
      }).join(' · ') + (failing.length > 6 ? ' · …' : '');
    } else if (errors > 0) {
      head = '✗ FAIL: ' + plural(errors, 'run') + ' failed with an internal error';
      detail = 'See the variants\u2019 errors in report.json.';
    } else if (total === 0) {
      head = '✓ PASS: no SLO is defined';
      detail = plural(runs, 'run') + ' finished; add spec.slos to judge them.';
    } else {
      head = '✓ PASS: every SLO held in every run';
      detail = plural(s.slos.length || total, 'SLO') + ' · ' + plural(runs, 'run');
    }
    if (errors > 0 && failing.length > 0) detail += ' · ' + plural(errors, 'run') + ' failed with an internal error';
    return el('div', { class: 'verdict ' + (pass ? 'pass' : 'fail'), role: 'status', 'data-pass': pass ? 'true' : 'false' }, head, el('span', { class: 'detail', text: detail }));
  }

  function sloCell(expr, v) {
    var x = v.summary.slos.filter(function (y) { return y.expr === expr; })[0];
    if (!x) return el('td', { class: 'muted', text: '–' });
    var mark = x.pass ? '✓ pass' : '✗ fail';
    return el('td', { 'data-expr': expr, 'data-variant': v.name, 'data-pass': x.pass ? 'true' : 'false', 'data-value': x.pooledValue === null ? 'null' : x.pooledValue, 'data-passed': x.passed, 'data-runs': x.runs },
      el('span', { class: x.pass ? 'pass-text' : 'fail-text', text: mark }), ' ' + sloValue(x.pooledValue, x.unit),
      el('span', { class: 'muted small', text: x.runs === 1 ? '' : ' (held in ' + x.passed + ' of ' + x.runs + ' runs; value pooled)' }));
  }

  /** Few variants: one column each. Many: one row each (the first VARIANT_ROWS, then a button for the rest). */
  function sloTable(s) {
    var exprs = [];
    s.slos.forEach(function (e) { if (exprs.indexOf(e) < 0) exprs.push(e); });
    s.variants.forEach(function (v) { v.summary.slos.forEach(function (x) { if (exprs.indexOf(x.expr) < 0) exprs.push(x.expr); }); });
    if (exprs.length === 0) return el('p', { class: 'muted', text: 'No SLOs defined (spec.slos).' });
    var head;
    var body;
    if (s.variants.length <= WIDE_MAX) {
      head = el('tr', null, el('th', { scope: 'col', text: 'SLO' }), s.variants.map(function (v) { return el('th', { scope: 'col', text: v.name }); }));
      body = el('tbody', null, exprs.map(function (expr) {
        return el('tr', null, el('th', { scope: 'row', class: 'mono', text: expr }), s.variants.map(function (v) { return sloCell(expr, v); }));
      }));
    } else {
      head = el('tr', null, el('th', { scope: 'col', text: 'variant' }), exprs.map(function (e) { return el('th', { scope: 'col', class: 'mono', text: e }); }));
      // failing variants first: with hundreds of them, those are the rows to see without a click
      var order = s.variants.filter(function (v) { return !v.summary.pass; }).concat(s.variants.filter(function (v) { return v.summary.pass; }));
      body = cappedRows(order.map(function (v) {
        return function () { return el('tr', null, el('th', { scope: 'row', text: v.name }), exprs.map(function (e) { return sloCell(e, v); })); };
      }), exprs.length + 1, 'variants');
    }
    return el('div', { class: 'table-wrap' }, el('table', { class: 'slos', 'data-role': 'slo-table' }, el('thead', null, head), body));
  }

  /** A tbody with the first VARIANT_ROWS rows (made on demand) and a button that adds the others. */
  function cappedRows(makers, colspan, what) {
    var tbody = el('tbody');
    makers.slice(0, VARIANT_ROWS).forEach(function (m) { tbody.appendChild(m()); });
    if (makers.length > VARIANT_ROWS) {
      var btn = el('button', { type: 'button', class: 'show-all', text: 'Show all ' + makers.length + ' ' + what + ' (' + (makers.length - VARIANT_ROWS) + ' more)' });
      var row = el('tr', { class: 'no-print-row' }, el('td', { colspan: colspan }, btn));
      btn.addEventListener('click', function () {
        tbody.removeChild(row);
        makers.slice(VARIANT_ROWS).forEach(function (m) { tbody.appendChild(m()); });
      });
      tbody.appendChild(row);
    }
    return tbody;
  }

  function figuresTable(s) {
    var rows = [
      ['requests', function (v) { return count(v.summary.requests.total); }],
      ['failed', function (v) { return count(v.summary.requests.failed); }],
      ['availability', function (v) { return pct(v.summary.availability); }],
      ['latency p50', function (v) { return ms(v.summary.latencyMs.p50); }],
      ['latency p90', function (v) { return ms(v.summary.latencyMs.p90); }],
      ['latency p95', function (v) { return ms(v.summary.latencyMs.p95); }],
      ['latency p99', function (v) { return ms(v.summary.latencyMs.p99); }],
      ['latency max', function (v) { return ms(v.summary.latencyMs.max); }],
    ];
    OUTCOMES.slice(1).forEach(function (o) {
      if (s.variants.some(function (v) { return v.summary.requests.byOutcome[o] > 0; })) rows.push(['failures ' + o, function (v) { return count(v.summary.requests.byOutcome[o]); }]);
    });
    var targets = [];
    s.variants.forEach(function (v) { v.summary.rollouts.forEach(function (r) { if (targets.indexOf(r.target) < 0) targets.push(r.target); }); });
    targets.forEach(function (t) {
      rows.push(['rollout ' + t, function (v) {
        var r = v.summary.rollouts.filter(function (x) { return x.target === t; })[0];
        if (!r) return '–';
        var parts = [];
        if (r.durationS) parts.push(secs(r.durationS.mean) + (r.byOutcome.complete > 1 ? ' mean' : ''));
        ['stalled', 'aborted', 'in_progress'].forEach(function (o) { if (r.byOutcome[o] > 0) parts.push(r.byOutcome[o] + ' ' + o.replace('_', ' ')); });
        return parts.join(', ');
      }]);
    });
    if (s.variants.length > WIDE_MAX) {
      var headT = el('tr', null, el('th', { scope: 'col', text: 'variant' }), rows.map(function (r) { return el('th', { scope: 'col', class: 'num', text: r[0] }); }));
      var bodyT = cappedRows(s.variants.map(function (v) {
        return function () { return el('tr', null, el('th', { scope: 'row', text: v.name }), rows.map(function (r) { return el('td', { class: 'num', text: r[1](v) }); })); };
      }), rows.length + 1, 'variants');
      return el('div', { class: 'table-wrap' }, el('table', { class: 'figures' }, el('thead', null, headT), bodyT));
    }
    var head = el('tr', null, el('th', { scope: 'col', text: '' }), s.variants.map(function (v) { return el('th', { scope: 'col', class: 'num', text: v.name }); }));
    return el('div', { class: 'table-wrap' }, el('table', { class: 'figures' }, el('thead', null, head), el('tbody', null, rows.map(function (r) {
      return el('tr', null, el('th', { scope: 'row', text: r[0] }), s.variants.map(function (v) { return el('td', { class: 'num', text: r[1](v) }); }));
    }))));
  }

  // ---------------------------------------------------------------------------------------------
  // One variant: findings, charts, pods, events

  function renderVariant(st, body) {
    st.charts.forEach(function (c) { c.destroy(); chartCount--; });
    st.charts = [];
    st.highlight = null;
    window.__kubesimCharts = chartCount;
    body.textContent = '';
    var s = st.s;
    var v = s.variants[st.variant];
    var label = s.variants.length > 1 ? ' (' + v.name + ')' : '';
    body.appendChild(el('h3', { text: 'Findings' + label }));
    body.appendChild(findingsList(st, v));
    var chartsHead = el('h3', { text: 'Over simulated time' + label, tabindex: '-1' });
    st.chartsHead = chartsHead;
    body.appendChild(chartsHead);
    var pending = [];
    body.appendChild(chartsBlock(st, v, pending));
    pending.forEach(function (make) { make(); });
    body.appendChild(el('h3', { text: 'Traffic share per pod' + label }));
    body.appendChild(podTable(v));
    body.appendChild(el('h3', { text: 'Kubernetes events' + label }));
    body.appendChild(eventLog(st, v));
    if (v.run && v.run.notes.length > 0) {
      body.appendChild(el('h3', { text: 'Run notes' + label }));
      body.appendChild(el('ul', { class: 'notes' }, v.run.notes.map(function (n) { return el('li', { class: 'mono', text: n }); })));
    }
  }

  function findingsList(st, v) {
    var f = v.summary.findings || [];
    if (f.length === 0) {
      return el('p', { class: 'muted', text: v.summary.requests.failed === 0 ? 'No failed requests: nothing to explain.' : 'The model attributed no cause to the ' + count(v.summary.requests.failed) + ' failed requests.' });
    }
    return el('ul', { class: 'findings', 'data-role': 'findings' }, f.map(function (x, i) {
      var btn = el('button', { type: 'button', class: 'show-window', 'data-from': x.fromS, 'data-to': x.toS, text: 'Show ' + (num(x.fromS, 1) === num(x.toS, 1) ? num(x.fromS, 1) : num(x.fromS, 1) + '–' + num(x.toS, 1)) + ' s on the charts' });
      var li = el('li', { class: 'finding', id: 'finding-' + st.si + '-' + i },
        el('div', null, el('span', { class: 'cause', text: x.cause.replace(/_/g, ' ') }), el('span', { class: 'muted small', text: count(x.count) + ' ' + x.outcome })),
        el('p', { text: x.message, style: 'margin:4px 0' }),
        x.fix ? el('p', { class: 'fix' }, el('strong', { text: 'Fix: ' }), x.fix) : null,
        el('p', { class: 'meta', text: 'in ' + x.runs + ' of ' + v.summary.runs + ' runs · ' + num(x.perRun, 1) + ' per run · ' + num(x.fromS, 2) + '–' + num(x.toS, 2) + ' s' +
          (x.trigger ? ' · after ' + x.trigger.action + ' ' + x.trigger.target + ' at ' + num(x.trigger.atS, 2) + ' s' : '') +
          (x.subjects && x.subjects.length ? ' · ' + x.subjects.join(', ') : '') }),
        btn);
      btn.addEventListener('click', function () {
        Array.prototype.forEach.call(li.parentNode.children, function (c) { c.classList.remove('active'); });
        li.classList.add('active');
        showWindow(st, x.fromS, x.toS, true);
      });
      return li;
    }));
  }

  function showWindow(st, from, to, highlight) {
    st.highlight = highlight ? { from: from, to: to } : null;
    var min = Math.max(0, from - 5);
    var max = to + 5;
    st.syncing = true;
    st.charts.forEach(function (u) { u.setScale('x', { min: min, max: max }); placeOverlay(u); });
    st.syncing = false;
    if (st.chartsHead) {
      st.chartsHead.scrollIntoView({ block: 'start' });
      st.chartsHead.focus({ preventScroll: true });
    }
  }

  function resetZoom(st) {
    st.highlight = null;
    st.syncing = true;
    st.charts.forEach(function (u) { u.setScale('x', { min: u.data[0][0] !== undefined ? 0 : 0, max: st.xMax }); placeOverlay(u); });
    st.syncing = false;
  }

  // ---------------------------------------------------------------------------------------------
  // Charts

  /** The charts' section; the charts themselves are made by the functions pushed on `pending`, once it is in the page. */
  function chartsBlock(st, v, pending) {
    var wrap = el('div', { class: 'charts-block' });
    var t = v.summary.timeseries;
    if (!t) {
      wrap.appendChild(el('p', { class: 'note', text: 'No run of this variant finished: there is nothing to chart.' }));
      return wrap;
    }
    var k = t.bucketsPerPoint || 1;
    var dt = t.intervalS;
    var n = t.requests.length;
    st.xMax = Math.max(st.s.durationS, n * k * dt);
    wrap.appendChild(el('p', { class: 'muted small', text:
      (t.runs === 1 ? 'From the one run of this variant, ' : 'Means per run over the ' + t.runs + ' runs of this variant (pooled over the replications; latency percentiles of all their successful requests together), ') +
      (k > 1 ? 'each point ' + num(k * dt, 3) + ' s (' + k + ' buckets averaged, latency: the largest percentile, to keep the page small)' : 'in ' + num(dt, 3) + ' s buckets') +
      '. Vertical lines: timeline actions; shaded bands: rollouts (replication 0). Drag on a chart to zoom, double-click to reset.' }));
    var tools = el('div', { class: 'controls' });
    var reset = el('button', { type: 'button', text: 'Reset zoom' });
    reset.addEventListener('click', function () { resetZoom(st); });
    tools.appendChild(reset);
    wrap.appendChild(tools);

    var xMid = [];
    var xEnd = [];
    for (var i = 0; i < n; i++) { xMid.push((i * k + k / 2) * dt); xEnd.push((i + 1) * k * dt); }
    var grid = el('div', { class: 'charts' });
    wrap.appendChild(grid);

    var ctx = {
      actions: v.summary.actions || [],
      bands: ((v.run && v.run.rollouts) || []).map(function (r) {
        return { from: r.startedAtS, to: r.completedAtS === null ? st.xMax : r.completedAtS, label: r.target + ' ' + r.outcome.replace('_', ' '), short: 'rollout ' + r.outcome.replace('_', ' ') };
      }),
      st: st,
    };

    var specs = [];
    // latency
    var lat = [['p50', OI.blue, []], ['p90', OI.orange, [8, 4]], ['p99', OI.vermillion, [2, 3]]];
    var anyLatency = lat.some(function (l) { return t.latencyMs[l[0]].some(function (x) { return x !== null; }); });
    specs.push({
      id: 'latency', title: 'Latency of successful requests (ms)', unit: 'ms', x: xMid,
      note: anyLatency ? null : 'No successful request: no latency to draw.',
      series: lat.map(function (l) { return { label: l[0], values: t.latencyMs[l[0]], color: l[1], dash: l[2], width: 2 }; }),
    });
    // throughput by outcome
    var rate = function (xs) { return xs.map(function (x) { return x === null ? null : x / dt; }); };
    var present = OUTCOMES.filter(function (o) { return o === 'ok' || t.outcomes[o].some(function (x) { return x > 0; }); });
    specs.push({
      id: 'throughput', title: 'Throughput by outcome, stacked (req/s)', unit: 'req/s', x: xMid, stacked: true,
      series: present.map(function (o) { return { label: o, values: rate(t.outcomes[o]), color: OUTCOME_STYLE[o].color, dash: OUTCOME_STYLE[o].dash, pattern: OUTCOME_STYLE[o].pattern, alpha: 0.55 }; }),
    });
    var failing = present.filter(function (o) { return o !== 'ok'; });
    specs.push({
      id: 'failures', title: 'Failed requests by outcome, stacked (req/s)', unit: 'req/s', x: xMid, stacked: true,
      note: failing.length === 0 ? 'No failed requests.' : null,
      series: failing.length === 0 ? [{ label: 'failed', values: rate(t.requests.map(function () { return 0; })), color: OI.vermillion, dash: [], alpha: 0.5 }]
        : failing.map(function (o) { return { label: o, values: rate(t.outcomes[o]), color: OUTCOME_STYLE[o].color, dash: OUTCOME_STYLE[o].dash, pattern: OUTCOME_STYLE[o].pattern, alpha: 0.6 }; }),
    });
    // pods by image and state
    var gaugeNames = Object.keys(t.gauges);
    var images = [];
    var firstSeen = {};
    gaugeNames.forEach(function (g) {
      if (g.indexOf('pods/') !== 0) return;
      var cut = g.lastIndexOf('/');
      var image = g.slice(5, cut);
      if (images.indexOf(image) < 0) images.push(image);
      var idx = t.gauges[g].findIndex(function (x) { return x !== null && x > 0; });
      if (idx >= 0 && (firstSeen[image] === undefined || idx < firstSeen[image])) firstSeen[image] = idx;
    });
    images.sort(function (a, b) { var fa = firstSeen[a] === undefined ? 1e15 : firstSeen[a]; var fb = firstSeen[b] === undefined ? 1e15 : firstSeen[b]; return fa - fb || (a < b ? -1 : a > b ? 1 : 0); });
    var podSeries = [];
    images.forEach(function (image, ii) {
      STATES.forEach(function (state) {
        var xs = t.gauges['pods/' + image + '/' + state];
        if (!xs || !xs.some(function (x) { return x !== null && x > 0; })) return;
        podSeries.push({ label: image + ' ' + state, values: xs, color: PALETTE[ii % PALETTE.length], dash: STATE_STYLE[state].dash, pattern: STATE_STYLE[state].pattern, alpha: STATE_STYLE[state].alpha });
      });
    });
    specs.push({
      id: 'pods', title: 'Pods by image and state, stacked (pods)', unit: 'pods', x: xEnd, stacked: true, stepped: true,
      note: podSeries.length === 0 ? 'No pod in this run.' : 'Per image one colour; the state by fill: Ready solid, Running (not Ready) dotted, Pending cross-hatched, Terminating striped.',
      series: podSeries.length ? podSeries : [{ label: 'pods', values: t.requests.map(function () { return 0; }), color: OI.grey, dash: [] }],
    });
    // endpoints: truth vs kube-proxy view
    var services = [];
    gaugeNames.forEach(function (g) {
      var m = /^(endpoints|proxy)\/(.*)$/.exec(g);
      if (m && services.indexOf(m[2]) < 0) services.push(m[2]);
    });
    services.sort();
    var epSeries = [];
    var anyProxy = false;
    services.forEach(function (svc, i) {
      var c = PALETTE[i % PALETTE.length];
      // the truth as a wide light line, kube-proxy's view as a thin dashed one on top: where they differ the dashes leave the band
      if (t.gauges['endpoints/' + svc]) epSeries.push({ label: svc + ' ready (EndpointSlice, the truth)', values: t.gauges['endpoints/' + svc], color: c, stroke: tint(c, 0.4), dash: [], width: 7 });
      if (t.gauges['proxy/' + svc]) { anyProxy = true; epSeries.push({ label: svc + ' as kube-proxy sees it', values: t.gauges['proxy/' + svc], color: c, dash: [6, 4], width: 2 }); }
    });
    specs.push({
      id: 'endpoints', title: 'Ready endpoints per Service: the truth (wide light line) vs kube-proxy\u2019s view (dashed)', unit: 'endpoints', x: xEnd, stepped: true,
      note: services.length === 0 ? 'No Service in this run.' : anyProxy ? null : 'This report carries no kube-proxy view (proxy/… gauges): only the EndpointSlice truth is drawn.',
      series: epSeries.length ? epSeries : [{ label: 'endpoints', values: t.requests.map(function () { return 0; }), color: OI.grey, dash: [] }],
    });

    // timeline list (also the print legend of the markers)
    if (ctx.actions.length > 0) {
      var list = el('ul', { class: 'timeline', 'aria-label': 'Timeline actions' });
      ctx.actions.forEach(function (a) {
        var b = el('button', { type: 'button', text: num(a.atS, 2) + ' s ' + a.action + ' ' + a.target + (a.detail ? ' ' + a.detail : '') + (a.outcome === 'refused' ? ' (refused)' : '') });
        b.addEventListener('click', function () { showWindow(st, a.atS - 10, a.atS + 25, false); });
        list.appendChild(el('li', null, b, el('span', { class: 'timeline-print', text: num(a.atS, 2) + ' s ' + a.action + ' ' + a.target + (a.detail ? ' ' + a.detail : '') })));
      });
      wrap.insertBefore(el('div', null, el('span', { class: 'muted small', text: 'Timeline actions (replication 0): ' }), list), grid);
    }

    specs.forEach(function (spec) {
      var box = el('figure', { class: 'chart', 'data-chart': spec.id, style: 'margin:0' });
      box.appendChild(el('figcaption', { class: 'chart-title', text: spec.title }));
      if (spec.note) box.appendChild(el('p', { class: 'chart-note muted small', text: spec.note }));
      var host = el('div', { class: 'chart-host' });
      box.appendChild(host);
      grid.appendChild(box);
      pending.push(function () {
        if (ctx.width === undefined) ctx.width = chartWidth(host);
        st.charts.push(makeChart(host, box, spec, ctx));
      });
    });
    return wrap;
  }

  var patternCache = {};
  function makePattern(ctx2d, kind, color, alpha) {
    var key = kind + color + alpha;
    if (patternCache[key]) return patternCache[key];
    var c = document.createElement('canvas');
    var size = 8;
    c.width = size; c.height = size;
    var g = c.getContext('2d');
    g.fillStyle = tint(color, alpha * 0.6);
    g.fillRect(0, 0, size, size);
    g.strokeStyle = color; g.fillStyle = color; g.lineWidth = 1.5; g.globalAlpha = 0.85;
    g.beginPath();
    if (kind === 'diag') { g.moveTo(0, size); g.lineTo(size, 0); g.moveTo(-2, 2); g.lineTo(2, -2); g.moveTo(size - 2, size + 2); g.lineTo(size + 2, size - 2); }
    else if (kind === 'back') { g.moveTo(0, 0); g.lineTo(size, size); }
    else if (kind === 'cross') { g.moveTo(0, 0); g.lineTo(size, size); g.moveTo(0, size); g.lineTo(size, 0); }
    else if (kind === 'vert') { g.moveTo(size / 2, 0); g.lineTo(size / 2, size); }
    else if (kind === 'horiz') { g.moveTo(0, size / 2); g.lineTo(size, size / 2); }
    g.stroke();
    if (kind === 'dots') { g.beginPath(); g.arc(size / 2, size / 2, 1.6, 0, Math.PI * 2); g.fill(); }
    var p = ctx2d.createPattern(c, 'repeat');
    patternCache[key] = p;
    return p;
  }

  /** The colour mixed with white: `a` of the colour, opaque. */
  function tint(hex, a) {
    var h = hex.replace('#', '');
    var mix = function (i) { return Math.round(parseInt(h.slice(i, i + 2), 16) * a + 255 * (1 - a)); };
    return 'rgb(' + mix(0) + ',' + mix(2) + ',' + mix(4) + ')';
  }

  function chartWidth(host) { return Math.max(320, Math.floor(host.clientWidth || (host.parentNode && host.parentNode.clientWidth) || 900)); }

  /** True when every value of the series stands alone between nulls. */
  function isolatedOnly(xs) {
    var values = 0;
    var alone = 0;
    for (var q = 0; q < xs.length; q++) {
      if (xs[q] === null) continue;
      values++;
      if ((q === 0 || xs[q - 1] === null) && (q === xs.length - 1 || xs[q + 1] === null)) alone++;
    }
    return values > 0 && alone === values;
  }

  function makeChart(host, box, spec, ctx) {
    var st = ctx.st;
    var raw = spec.series.map(function (s) { return s.values; });
    var plotted;
    if (spec.stacked) {
      // cumulative from the bottom (series order) up; drawn top first so lower bands paint over
      var acc = spec.x.map(function () { return 0; });
      var cum = raw.map(function (xs) {
        var empty = xs.every(function (y) { return y === null; });
        return xs.map(function (x, i) { acc[i] += x === null ? 0 : x; return empty ? null : acc[i]; });
      });
      plotted = cum.slice().reverse();
      raw = raw.slice().reverse();
      spec = Object.assign({}, spec, { series: spec.series.slice().reverse() });
    } else {
      plotted = raw;
    }
    var points = 0;
    plotted.forEach(function (xs) { xs.forEach(function (x) { if (x !== null) points++; }); });
    box.setAttribute('data-series', String(plotted.length));
    box.setAttribute('data-points', String(points));
    var fmt = spec.unit === 'ms' ? function (x) { return num(x, 1); } : function (x) { return num(x, 2); };
    var series = [{ label: 'time (s)', value: function (u, x) { return x === null || x === undefined ? '--' : num(x, 2) + ' s'; } }];
    spec.series.forEach(function (s, i) {
      var opt = {
        label: s.label,
        stroke: s.stroke || (s.color === OI.yellow ? '#8a7f00' : s.color),
        width: s.width || (spec.stacked ? 1 : 1.5),
        dash: s.dash && s.dash.length ? s.dash : undefined,
        spanGaps: false,
        value: function (u, v, si, di) {
          if (di === null || di === undefined) return '--';
          var r = raw[si - 1] && raw[si - 1][di];
          return r === null || r === undefined ? '--' : fmt(r);
        },
        // points only for a series of isolated values (a line would not show them)
        points: { show: isolatedOnly(plotted[i]) },
      };
      if (spec.stepped) opt.paths = uPlot.paths.stepped({ align: -1 });
      if (spec.stacked) {
        var color = s.color;
        var alpha = s.alpha === undefined ? 0.5 : s.alpha;
        var pattern = s.pattern;
        // opaque fills: a lower band (drawn later) must hide the upper ones where they overlap
        opt.fill = pattern ? function (u) { return makePattern(u.ctx, pattern, color, alpha); } : tint(color, alpha);
      }
      series.push(opt);
    });
    var yRange = function (u, min, max) {
      if (max === null || max === undefined || !isFinite(max) || max <= 0) return [0, 1];
      return [0, max * 1.08];
    };
    var opts = {
      width: ctx.width,
      height: 230,
      series: series,
      scales: { x: { time: false, range: function (u, min, max) { return [min === null ? 0 : min, max === null ? st.xMax : max]; } }, y: { range: yRange } },
      axes: [
        { label: 'simulated time (s)', labelSize: 20, values: function (u, vals) { return vals.map(function (x) { return num(x, 1); }); } },
        { label: spec.unit, labelSize: 22, size: 62, values: function (u, vals) { return vals.map(function (x) { return Math.abs(x) >= 1000 ? count(x) : num(x, spec.unit === 'ms' ? 1 : 2); }); } },
      ],
      legend: {
        show: true,
        live: true,
        markers: {
          width: 2,
          fill: function (u, si) { var o = spec.series[si - 1]; return o && spec.stacked ? tint(o.color, o.pattern ? (o.alpha === undefined ? 0.5 : o.alpha) * 0.6 : (o.alpha === undefined ? 0.5 : o.alpha)) : 'transparent'; },
          dash: function (u, si) { var o = spec.series[si - 1]; return o && o.dash && o.dash.length ? (o.dash[0] <= 2 ? 'dotted' : 'dashed') : 'solid'; },
        },
      },
      cursor: { sync: { key: 'ks-' + st.si }, drag: { x: true, y: false, setScale: true } },
      hooks: {
        ready: [function (u) { placeOverlay(u); }],
        setSize: [function (u) { placeOverlay(u); }],
        setScale: [function (u, key) {
          if (key !== 'x') return;
          placeOverlay(u);
          if (st.syncing) return;
          st.syncing = true;
          var sc = u.scales.x;
          st.charts.forEach(function (o) { if (o !== u) { o.setScale('x', { min: sc.min, max: sc.max }); } });
          st.syncing = false;
        }],
      },
    };
    var data = [spec.x].concat(plotted);
    var u = new uPlot(opts, data, host);
    u.__ks = ctx;
    st.syncing = true; // the others are set when they are made
    u.setScale('x', { min: 0, max: st.xMax });
    st.syncing = false;
    chartCount++;
    window.__kubesimCharts = chartCount;
    return u;
  }

  var measure = null;
  /** Width of a marker label's text in CSS px, measured on a canvas (reading offsetWidth would force a layout per label). */
  function textWidth(text) {
    if (!measure) {
      measure = document.createElement('canvas').getContext('2d');
      measure.font = '11px system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif'; // as in style.css
    }
    return measure.measureText(text).width;
  }

  function placeOverlay(u) {
    var ctx = u.__ks;
    if (!ctx) return;
    var layer = u.over.querySelector('.ks-layer');
    if (!layer) { layer = el('div', { class: 'ks-layer' }); u.over.appendChild(layer); }
    layer.textContent = '';
    var width = u.bbox.width / (window.devicePixelRatio || 1); // the plot area in CSS px (no layout read)
    var pos = function (x) { return u.valToPos(x, 'x'); };
    ctx.bands.forEach(function (b) {
      var l = Math.max(0, pos(b.from));
      var r = Math.min(width, pos(b.to));
      var d = el('div', { class: 'ks-band', 'data-from': b.from, 'data-to': b.to, title: 'rollout ' + b.label + ': ' + num(b.from, 2) + '–' + num(b.to, 2) + ' s' });
      d.style.left = l + 'px';
      d.style.width = Math.max(0, r - l) + 'px';
      if (r <= 0 || l >= width) d.style.display = 'none';
      var bl = el('span', { class: 'ks-band-label', text: b.short });
      d.appendChild(bl);
      layer.appendChild(d);
      if (textWidth(b.short) + 14 > r - l) bl.style.display = 'none';
    });
    var hl = ctx.st.highlight;
    if (hl) {
      var hlL = Math.max(0, pos(hl.from));
      var hlR = Math.min(width, pos(hl.to));
      var h = el('div', { class: 'ks-highlight', title: 'finding: ' + num(hl.from, 2) + '–' + num(hl.to, 2) + ' s' });
      h.style.left = hlL + 'px';
      h.style.width = Math.max(2, hlR - hlL) + 'px';
      layer.appendChild(h);
    }
    var rowsEnd = [-1e9, -1e9, -1e9];
    ctx.actions.forEach(function (a) {
      var x = pos(a.atS);
      var text = a.action + (a.detail ? ' ' + a.detail : ' ' + a.target);
      var full = num(a.atS, 2) + ' s: ' + a.action + ' ' + a.target + (a.detail ? ' ' + a.detail : '') + (a.outcome === 'refused' ? ' (refused by kubectl)' : '');
      var m = el('div', { class: 'ks-marker' + (a.outcome === 'refused' ? ' refused' : ''), 'data-at': a.atS, 'data-action': a.action, title: full });
      m.style.left = x + 'px';
      if (x < 0 || x > width) m.style.display = 'none';
      var lab = el('span', { class: 'ks-marker-label', text: text.length > 34 ? text.slice(0, 33) + '…' : text });
      m.appendChild(lab);
      layer.appendChild(m);
      var w = textWidth(lab.textContent) + 14; // label padding and border
      var flip = x + w > width; // near the right edge: label on the left of the line
      var left = flip ? x - w : x;
      var row = rowsEnd.findIndex(function (end) { return left > end + 4; });
      if (row < 0) lab.classList.add('hidden');
      else {
        rowsEnd[row] = left + w;
        lab.style.top = (2 + row * 17) + 'px';
        if (flip) { lab.style.left = 'auto'; lab.style.right = '3px'; }
      }
    });
  }

  var resizeTimer = null;
  function resizeAll() {
    scenarioStates.forEach(function (st) {
      st.charts.forEach(function (u) {
        var host = u.root.parentNode;
        var w = chartWidth(host);
        if (Math.abs(w - u.width) > 2) u.setSize({ width: w, height: u.height });
      });
    });
  }
  window.addEventListener('resize', function () { clearTimeout(resizeTimer); resizeTimer = setTimeout(resizeAll, 100); });
  window.addEventListener('beforeprint', resizeAll);
  window.addEventListener('afterprint', resizeAll);
  if (window.matchMedia) {
    var mq = window.matchMedia('print');
    if (mq.addEventListener) mq.addEventListener('change', resizeAll);
  }

  // ---------------------------------------------------------------------------------------------
  // Pods

  function podTable(v) {
    var r = v.run;
    if (!r) return el('p', { class: 'muted', text: 'No run of this variant finished.' });
    if (r.pods.length === 0) return el('p', { class: 'muted', text: 'No pods in this run.' });
    var total = r.pods.reduce(function (n, p) { return n + p.requests; }, 0) + (r.podsOmitted ? r.podsOmitted.requests : 0);
    var max = Math.max.apply(null, r.pods.map(function (p) { return p.requests; }).concat([1]));
    var rows = r.pods.map(function (p) {
      var share = total > 0 ? p.requests / total : 0;
      return el('tr', null,
        el('td', { class: 'mono', text: p.name }),
        el('td', { class: 'mono', text: p.image }),
        el('td', { text: p.node === null ? 'unscheduled' : p.node }),
        el('td', { class: 'num', text: fixed(p.createdAtS, 2) }),
        el('td', { class: 'num', text: p.deletedAtS === null ? '–' : fixed(p.deletedAtS, 2) }),
        el('td', { class: 'num', text: count(p.requests) }),
        el('td', { class: 'share-cell', 'data-share': share },
          el('span', { class: 'share-bar', style: 'width:' + Math.round((p.requests / max) * 180) + 'px', 'aria-hidden': 'true' }),
          fixed(share * 100, 1) + '%'));
    });
    var head = el('tr', null, ['pod', 'image', 'node', 'created (s)', 'deleted (s)', 'requests', 'share of requests'].map(function (h, i) { return el('th', { scope: 'col', class: i >= 3 && i <= 5 ? 'num' : null, text: h }); }));
    return el('div', null,
      el('p', { class: 'muted small', text: 'Replication ' + r.replication + ' (seed ' + r.seed + '): ' + count(total) + ' requests routed to ' + plural(r.pods.length + (r.podsOmitted ? r.podsOmitted.count : 0), 'pod') + '.' }),
      el('div', { class: 'table-wrap' }, el('table', { class: 'pods', 'data-role': 'pods' }, el('thead', null, head), el('tbody', null, rows))),
      r.podsOmitted ? el('p', { class: 'muted small', text: '… and ' + plural(r.podsOmitted.count, 'more pod') + ' with ' + count(r.podsOmitted.requests) + ' requests, left out to keep the page small (all are in report.json).' }) : null);
  }

  // ---------------------------------------------------------------------------------------------
  // Variants: ranked table and forest plot

  function rankedTable(s) {
    var mean = function (v, id) { return v.summary.metrics[id] ? v.summary.metrics[id].mean : null; };
    var order = s.variants.slice().sort(function (a, b) {
      var d = (mean(b, 'availability') === null ? -1 : mean(b, 'availability')) - (mean(a, 'availability') === null ? -1 : mean(a, 'availability'));
      if (d) return d;
      var pa = mean(a, 'latency.p99'); var pb = mean(b, 'latency.p99');
      d = (pa === null ? Infinity : pa) - (pb === null ? Infinity : pb);
      if (d && isFinite(d)) return d;
      return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
    });
    var base = s.comparison.baseline;
    var est = function (e, id) {
      if (!e || e.mean === null) return 'n/a';
      return metricValue(id, e.mean) + (e.ci95 ? ' [' + metricValue(id, e.ci95[0]) + ', ' + metricValue(id, e.ci95[1]) + ']' : '');
    };
    var diff = function (v, id) {
      if (v.name === base) return el('td', { class: 'muted', text: 'baseline' });
      var c = comparisonOf(s, v.name, id);
      if (!c || c.difference === null) return el('td', { text: 'n/a' });
      return el('td', null, metricValue(id, c.difference, true) + (c.ci95 ? ' [' + metricValue(id, c.ci95[0], true) + ', ' + metricValue(id, c.ci95[1], true) + '] ' : ' '), verdictSpan(c.verdict));
    };
    var head = el('tr', null, ['#', 'variant', 'availability (95% CI)', 'p99 latency (95% CI)', 'failed requests per run', 'SLOs', 'Δ availability vs ' + base, 'Δ p99 vs ' + base].map(function (h) { return el('th', { scope: 'col', text: h }); }));
    var rows = order.map(function (v, i) {
      return function () { return el('tr', { 'data-variant': v.name },
        el('td', { class: 'num', text: String(i + 1) }),
        el('th', { scope: 'row', class: 'nowrap', text: v.name }),
        el('td', { text: est(v.summary.metrics.availability, 'availability') }),
        el('td', { text: est(v.summary.metrics['latency.p99'], 'latency.p99') }),
        el('td', { class: 'num', text: v.summary.metrics.failures && v.summary.metrics.failures.mean !== null ? num(v.summary.metrics.failures.mean, 1) : 'n/a' }),
        el('td', { class: 'nowrap' }, v.summary.slos.length === 0 ? el('span', { class: 'muted', text: 'none' }) : el('span', { class: v.summary.pass ? 'pass-text' : 'fail-text', text: v.summary.pass ? '✓ pass' : '✗ fail' })),
        diff(v, 'availability'), diff(v, 'latency.p99')); };
    });
    var n = s.variants[0].summary.runs;
    return el('div', null,
      el('p', { class: 'muted small', text: 'Ranked by mean availability, then mean p99 latency; means over ' + plural(n, 'replication') + ' with 95% intervals; differences paired by replication (common random numbers).' }),
      el('div', { class: 'table-wrap' }, el('table', { class: 'ranked', 'data-role': 'ranked' }, el('thead', null, head), cappedRows(rows, 8, 'variants'))));
  }

  function comparisonOf(s, name, id) {
    var c = s.comparison && s.comparison.variants.filter(function (x) { return x.variant === name; })[0];
    return c ? c.metrics[id] : undefined;
  }

  function verdictSpan(v) {
    var cls = v === 'better' ? 'verdict-better' : v === 'worse' ? 'verdict-worse' : 'verdict-none';
    var mark = v === 'better' ? '▲ better' : v === 'worse' ? '▼ worse' : '○ no significant difference';
    return el('span', { class: cls, text: mark });
  }

  function forest(s, si) {
    var compared = s.comparison.variants;
    var ids = Object.keys(METRIC_LABELS).filter(function (id) { return compared.some(function (c) { return c.metrics[id]; }); });
    var wrap = el('div', { class: 'forest-wrap' });
    wrap.appendChild(el('p', { class: 'muted small', text: 'Each row: the mean paired difference (variant − baseline) over the replications, the bar its 95% interval; the vertical line is no difference. Verdict: better/worse when the interval excludes zero. Axes are per metric.' }));
    var table = el('table', { class: 'forest', 'data-role': 'forest' });
    var show = function (list) {
      table.textContent = '';
      list.forEach(function (id) { forestGroup(table, s, id); });
    };
    if (compared.length > FOREST_MAX_ALL) {
      var sel = el('select', { id: 'forest-metric-' + si });
      ids.forEach(function (id) { sel.appendChild(el('option', { value: id, text: METRIC_LABELS[id] })); });
      sel.addEventListener('change', function () { show([sel.value]); });
      wrap.appendChild(el('div', { class: 'controls' }, el('label', { for: 'forest-metric-' + si }, 'Metric:'), sel));
      show([ids[0]]);
    } else {
      show(ids);
    }
    wrap.appendChild(el('div', { class: 'table-wrap' }, table));
    return wrap;
  }

  function forestGroup(table, s, id) {
    var W = 340;
    var H = 22;
    var rows = s.comparison.variants.map(function (c) { return { name: c.variant, m: c.metrics[id] }; });
    var extent = 0;
    rows.forEach(function (r) {
      if (!r.m || r.m.difference === null) return;
      extent = Math.max(extent, Math.abs(r.m.difference));
      if (r.m.ci95) extent = Math.max(extent, Math.abs(r.m.ci95[0]), Math.abs(r.m.ci95[1]));
    });
    if (!(extent > 0)) extent = 1;
    var X = function (x) { return 10 + ((x + extent) / (2 * extent)) * (W - 20); };
    var axis = svg('svg', { width: W, height: 18, viewBox: '0 0 ' + W + ' 18', role: 'img', 'aria-label': 'axis from ' + metricValue(id, -extent, true) + ' to ' + metricValue(id, extent, true) });
    axis.appendChild(svg('line', { x1: 10, x2: W - 10, y1: 16, y2: 16, stroke: '#777' }));
    [-extent, 0, extent].forEach(function (t, i) {
      axis.appendChild(svg('text', { x: X(t), y: 11, 'font-size': 10, 'text-anchor': i === 0 ? 'start' : i === 2 ? 'end' : 'middle', fill: '#444' }, metricValue(id, t, true)));
    });
    table.appendChild(el('tbody', null, el('tr', { class: 'group' }, el('th', { scope: 'rowgroup', text: METRIC_LABELS[id] }), el('th', { class: 'muted small', text: 'difference [95% CI]' }), el('th', null, axis), el('th', { class: 'muted small', text: 'verdict' }))));
    table.appendChild(cappedRows(rows.map(function (r) { return function () { return forestRow(r, id, X, W, H); }; }), 4, 'variants'));
  }

  function forestRow(r, id, X, W, H) {
    {
      var plot = svg('svg', { width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, role: 'img' });
      plot.appendChild(svg('line', { x1: X(0), x2: X(0), y1: 0, y2: H, stroke: '#000', 'stroke-dasharray': '3 2' }));
      var text = 'n/a';
      var verdict = null;
      if (r.m && r.m.difference !== null) {
        var color = r.m.verdict === 'better' ? OI.green : r.m.verdict === 'worse' ? OI.vermillion : '#555';
        if (r.m.ci95) {
          plot.appendChild(svg('line', { x1: X(r.m.ci95[0]), x2: X(r.m.ci95[1]), y1: H / 2, y2: H / 2, stroke: color, 'stroke-width': 3 }));
          [r.m.ci95[0], r.m.ci95[1]].forEach(function (b) { plot.appendChild(svg('line', { x1: X(b), x2: X(b), y1: 5, y2: H - 5, stroke: color, 'stroke-width': 2 })); });
        }
        var shape = r.m.verdict === 'better' ? 'M0,-6 L6,4 L-6,4 Z' : r.m.verdict === 'worse' ? 'M0,6 L6,-4 L-6,-4 Z' : null;
        if (shape) plot.appendChild(svg('path', { d: shape, transform: 'translate(' + X(r.m.difference) + ',' + H / 2 + ')', fill: color }));
        else plot.appendChild(svg('circle', { cx: X(r.m.difference), cy: H / 2, r: 5, fill: '#fff', stroke: color, 'stroke-width': 2 }));
        text = metricValue(id, r.m.difference, true) + (r.m.ci95 ? ' [' + metricValue(id, r.m.ci95[0], true) + ', ' + metricValue(id, r.m.ci95[1], true) + ']' : ' (no interval: 1 pair)');
        verdict = r.m.verdict;
      }
      plot.setAttribute('aria-label', r.name + ': ' + text);
      return el('tr', { 'data-metric': id, 'data-variant': r.name },
        el('td', { text: r.name }), el('td', { class: 'num', text: text }), el('td', { class: 'plot' }, plot),
        el('td', null, verdict ? verdictSpan(verdict) : el('span', { class: 'muted', text: r.m && r.m.reason ? r.m.reason : 'not measured' })));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Event log

  function eventLog(st, v) {
    var wrap = el('div', { class: 'event-log' });
    if (DATA.detail === 'summary') {
      wrap.appendChild(el('p', { class: 'note', 'data-role': 'events-note', text: 'This report was written with --detail summary: runs carry no event log. Run again with --detail full to see the Kubernetes events.' }));
      return wrap;
    }
    var r = v.run;
    if (!r) { wrap.appendChild(el('p', { class: 'muted', text: 'No run of this variant finished.' })); return wrap; }
    var events = r.events;
    if (events.length === 0) { wrap.appendChild(el('p', { class: 'muted', text: 'No events in this run.' })); return wrap; }
    var id = 'ev-' + st.si;
    var search = el('input', { type: 'search', id: id + '-q', placeholder: 'reason, object or message…', 'data-role': 'events-search' });
    var objSel = el('select', { id: id + '-obj', 'data-role': 'events-object' });
    var reasonSel = el('select', { id: id + '-reason', 'data-role': 'events-reason' });
    var uniq = function (f) { var seen = {}; var out = []; events.forEach(function (e) { var k = f(e); if (!Object.prototype.hasOwnProperty.call(seen, k)) { seen[k] = 1; out.push(k); } }); return out.sort(); };
    objSel.appendChild(el('option', { value: '', text: 'all objects' }));
    uniq(function (e) { return e.object; }).forEach(function (o) { objSel.appendChild(el('option', { value: o, text: o })); });
    reasonSel.appendChild(el('option', { value: '', text: 'all reasons' }));
    uniq(function (e) { return e.reason; }).forEach(function (o) { reasonSel.appendChild(el('option', { value: o, text: o })); });
    var countText = el('span', { class: 'muted small', 'data-role': 'events-count', 'aria-live': 'polite' });
    wrap.appendChild(el('div', { class: 'controls' },
      el('label', { for: id + '-q' }, 'Search', search),
      el('label', { for: id + '-obj' }, 'Object', objSel),
      el('label', { for: id + '-reason' }, 'Reason', reasonSel),
      countText));
    wrap.appendChild(el('p', { class: 'muted small', text: 'Replication ' + r.replication + ' (seed ' + r.seed + ')' + (r.eventsTotal > events.length ? ': the first ' + count(events.length) + ' of ' + count(r.eventsTotal) + ' events, to keep the page small (all are in report.json).' : '.') }));
    var rows = events.map(function (e) {
      var tr = el('tr', { class: e.type === 'Warning' ? 'warning' : null },
        el('td', { class: 'num', text: fixed(e.atS, 3) }),
        el('td', { text: e.type === 'Warning' ? '⚠ Warning' : 'Normal' }),
        el('td', { text: e.reason }),
        el('td', { class: 'mono', text: e.object }),
        el('td', { class: 'msg', text: e.message }));
      tr.__hay = (e.type + ' ' + e.reason + ' ' + e.object + ' ' + e.message).toLowerCase();
      tr.__e = e;
      return tr;
    });
    var head = el('tr', null, ['time (s)', 'type', 'reason', 'object', 'message'].map(function (h, i) { return el('th', { scope: 'col', class: i === 0 ? 'num' : null, text: h }); }));
    var tbody = el('tbody', null, rows);
    wrap.appendChild(el('div', { class: 'events-wrap' }, el('table', { class: 'events', 'data-role': 'events' }, el('thead', null, head), tbody)));
    var apply = function () {
      var q = search.value.trim().toLowerCase();
      var o = objSel.value;
      var re = reasonSel.value;
      var shown = 0;
      rows.forEach(function (tr) {
        var ok = (o === '' || tr.__e.object === o) && (re === '' || tr.__e.reason === re) && (q === '' || tr.__hay.indexOf(q) >= 0);
        tr.hidden = !ok;
        if (ok) shown++;
      });
      countText.textContent = shown + ' of ' + rows.length + ' events';
    };
    search.addEventListener('input', apply);
    objSel.addEventListener('change', apply);
    reasonSel.addEventListener('change', apply);
    apply();
    return wrap;
  }
  // ---------------------------------------------------------------------------------------------
  // Start (last: every helper above is defined by now)

  DATA.scenarios.forEach(function (s, i) { renderScenario(s, i); });
  if (DATA.scenarios.length === 0) app.appendChild(el('p', { text: 'The report holds no scenario.' }));
})();
