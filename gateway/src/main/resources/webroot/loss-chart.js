// A small line chart in SVG for loss curves: x = iteration, one path per named series, a shared y range with
// its extremes labelled. Drawn by hand so that the page needs no library and no CDN.
const SVG = 'http://www.w3.org/2000/svg';
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];
const W = 460, H = 200, LEFT = 48, RIGHT = 10, TOP = 10, BOTTOM = 22;

/** A chart in {@code svg} with its legend in {@code legend} (an element). */
export class LossChart {
  constructor(svg, legend) {
    this.svg = svg;
    this.legend = legend;
    this.series = new Map();  // name -> [[iteration, value], ...]
    this.scheduled = false;
    svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
    svg.setAttribute('width', W);
    svg.setAttribute('height', H);
  }

  /** Adds one point per series; non-finite values (a diverged loss) are left out rather than breaking the scale. */
  add(iteration, values) {
    for (const [name, value] of Object.entries(values)) {
      if (!Number.isFinite(value)) continue;
      if (!this.series.has(name)) this.series.set(name, []);
      this.series.get(name).push([iteration, value]);
    }
    // Many events arrive at once when a stream replays a job's past: draw once per frame.
    if (!this.scheduled) {
      this.scheduled = true;
      requestAnimationFrame(() => { this.scheduled = false; this.draw(); });
    }
  }

  draw() {
    const all = [...this.series.values()].flat();
    this.svg.replaceChildren();
    this.legend.replaceChildren();
    if (!all.length) return;
    const [x0, x1] = range(all.map(p => p[0]));
    const [y0, y1] = range(all.map(p => p[1]));
    const x = i => LEFT + (i - x0) / (x1 - x0) * (W - LEFT - RIGHT);
    const y = v => TOP + (y1 - v) / (y1 - y0) * (H - TOP - BOTTOM);
    this.element('line', { x1: LEFT, y1: TOP, x2: LEFT, y2: H - BOTTOM, stroke: '#999' });
    this.element('line', { x1: LEFT, y1: H - BOTTOM, x2: W - RIGHT, y2: H - BOTTOM, stroke: '#999' });
    if (y0 < 0 && y1 > 0) this.element('line', { x1: LEFT, y1: y(0), x2: W - RIGHT, y2: y(0), stroke: '#ddd' });
    this.element('text', { x: LEFT - 4, y: TOP + 8, 'text-anchor': 'end' }).textContent = format(y1);
    this.element('text', { x: LEFT - 4, y: H - BOTTOM, 'text-anchor': 'end' }).textContent = format(y0);
    this.element('text', { x: LEFT, y: H - 6 }).textContent = `iteration ${x0}`;
    this.element('text', { x: W - RIGHT, y: H - 6, 'text-anchor': 'end' }).textContent = `${x1}`;
    [...this.series.keys()].forEach((name, k) => {
      const points = this.series.get(name);
      const colour = COLOURS[k % COLOURS.length];
      const d = points.map((p, i) => `${i ? 'L' : 'M'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
      this.element('path', { d, fill: 'none', stroke: colour, 'stroke-width': 1.5, class: 'series', 'data-name': name,
        'data-points': points.length });
      const last = points[points.length - 1][1];
      const item = document.createElement('span');
      item.style.setProperty('--colour', colour);
      item.textContent = `${name} ${format(last)}`;
      this.legend.appendChild(item);
    });
  }

  element(tag, attributes) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attributes)) e.setAttribute(k, v);
    this.svg.appendChild(e);
    return e;
  }
}

/** [min, max], widened when all values are equal so that the scale never divides by zero. */
function range(values) {
  // A loop, not Math.min(...values): a long job has more points than a call may take arguments.
  let lo = Infinity, hi = -Infinity;
  for (const v of values) { if (v < lo) lo = v; if (v > hi) hi = v; }
  if (lo === hi) { lo -= 0.5; hi += 0.5; }
  return [lo, hi];
}

function format(v) {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toFixed(3);
}
