'use strict';
// Statistics and the results table: each figure as median (min–max) over fresh processes, the
// ratio of azcred's median to the reference's median, the target and whether it is met.

const IMPLS = ['native', 'wasm', 'reference'];

function stats(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { n: v.length, min: v[0], median, max: v[v.length - 1] };
}

function num(x) {
  if (x === null || x === undefined || !Number.isFinite(x)) return 'n/a';
  const a = Math.abs(x);
  if (a >= 10000) return Math.round(x).toLocaleString('en-US');
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

function cell(s, unit) {
  if (!s) return 'n/a';
  const u = unit ? ` ${unit}` : '';
  if (s.n === 1 || s.min === s.max) return `${num(s.median)}${u}`;
  return `${num(s.median)}${u} (${num(s.min)}–${num(s.max)})`;
}

function ratioText(r) {
  if (r === null || !Number.isFinite(r)) return 'n/a';
  if (r >= 10) return `${r.toFixed(0)}×`;
  if (r >= 1) return `${r.toFixed(2)}×`;
  return r < 0.01 ? r.toFixed(4) : r.toFixed(3);
}

/**
 * A row comparing medians.
 * @param {object} o
 * @param {string} o.figure
 * @param {string} [o.unit]
 * @param {{native?: number[], wasm?: number[], reference?: number[]}} o.values
 * @param {'atMost'|'atLeast'|null} o.sense  how the ratio is judged against the target
 * @param {{native?: number, wasm?: number}|number|null} o.target  target ratio(s)
 * @param {string} [o.targetText]
 * @param {string} [o.note] shown under the table
 */
function ratioRow(o) {
  const s = Object.fromEntries(IMPLS.map((i) => [i, stats(o.values[i] || [])]));
  const ref = s.reference && s.reference.median;
  const ratios = {};
  const met = {};
  for (const impl of ['native', 'wasm']) {
    const t = o.target === null || o.target === undefined ? null : typeof o.target === 'number' ? o.target : o.target[impl];
    ratios[impl] = s[impl] && ref ? s[impl].median / ref : null;
    if (t === null || t === undefined || ratios[impl] === null) met[impl] = null;
    else met[impl] = o.sense === 'atLeast' ? ratios[impl] >= t : ratios[impl] <= t;
  }
  return {
    figure: o.figure,
    cells: Object.fromEntries(IMPLS.map((i) => [i, cell(s[i], o.unit)])),
    ratio: `${ratioText(ratios.native)} / ${ratioText(ratios.wasm)}`,
    target: o.targetText || '',
    met: metText(met),
    stats: s,
    ratios,
    metBy: met,
    note: o.note,
  };
}

/** A row whose verdict is computed by the caller (counts, sizes, the distance to a limit). */
function customRow(o) {
  return {
    figure: o.figure,
    cells: o.cells,
    ratio: o.ratio || '',
    target: o.targetText || '',
    met: o.met === undefined ? '' : metText(o.met),
    metBy: o.met,
    note: o.note,
  };
}

function metText(met) {
  if (met === null || met === undefined) return '–';
  if (typeof met === 'boolean') return met ? 'yes' : '**no**';
  const w = (m) => (m === null || m === undefined ? '–' : m ? 'yes' : '**no**');
  return `${w(met.native)} / ${w(met.wasm)}`;
}

/** The results as a markdown table. */
function markdownTable(rows) {
  const head = '| figure | azcred native | azcred wasm | @azure/identity 4.14.1 | ratio (native / wasm) | target | met? (native / wasm) |';
  const sep = '|---|---|---|---|---|---|---|';
  const esc = (t) => String(t).replace(/\|/g, '\\|');
  const lines = rows.map(
    (r) =>
      `| ${esc(r.figure)} | ${esc(r.cells.native)} | ${esc(r.cells.wasm)} | ${esc(r.cells.reference)} | ${esc(r.ratio)} | ${esc(r.target)} | ${esc(r.met)} |`,
  );
  return [head, sep, ...lines].join('\n');
}

module.exports = { IMPLS, stats, num, cell, ratioText, ratioRow, customRow, markdownTable };
