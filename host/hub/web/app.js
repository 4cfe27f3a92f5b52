// The fleet dashboard: a snapshot from /api/snapshot, then every change from the server-sent
// events of /api/events. Generic: nodes, components and quantities are whatever the hub has
// seen. Each value is an element with data-node, data-component and data-quantity; each node's
// status is `.status[data-status]` (online, offline or unknown).
'use strict';

const fleet = { nodes: {} };
const charts = new Map(); // "node/component/quantity" -> { plot, data }
const HISTORY_MS = 3600 * 1000;
const hasCharts = typeof window.uPlot === 'function';
document.getElementById('charts-missing').hidden = hasCharts;

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith('data-') || k === 'class' || k === 'type' || k === 'placeholder') e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) e.append(c);
  return e;
}

function format(value) {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function key(...parts) { return parts.join('/'); }

function render() {
  const main = document.getElementById('nodes');
  main.replaceChildren();
  charts.clear();
  for (const [name, node] of Object.entries(fleet.nodes).sort()) {
    const status = node.online === true ? 'online' : node.online === false ? 'offline' : 'unknown';
    const card = el('section', { class: 'node', 'data-node': name },
      el('h2', {}, el('span', { class: 'name', textContent: name }),
        el('span', { class: 'status', 'data-status': status, textContent: status })));
    for (const [cname, component] of Object.entries(node.components || {}).sort()) {
      const box = el('div', { class: 'component', 'data-component': cname }, el('h3', { textContent: cname }));
      for (const [q, series] of Object.entries(component.quantities || {}).sort()) {
        box.append(el('div', { class: 'quantity' },
          el('span', { textContent: q }),
          el('span', {
            class: 'value', 'data-node': name, 'data-component': cname, 'data-quantity': q,
            textContent: `${format(series.value)} ${series.unit}`.trim(),
          })));
        const chart = el('div', { class: 'chart' });
        box.append(chart);
        if (hasCharts) makeChart(chart, key(name, cname, q), series);
      }
      for (const command of component.accepts || []) {
        const input = el('input', { type: 'text', placeholder: 'payload', 'data-payload': command });
        const reply = el('span', { class: 'reply' });
        const button = el('button', { type: 'button', textContent: command, 'data-command': command });
        button.addEventListener('click', () => send(name, cname, command, input.value, reply));
        box.append(el('div', { class: 'command', 'data-node': name, 'data-component': cname },
          button, input, reply));
      }
      card.append(box);
    }
    main.append(card);
  }
}

function makeChart(container, id, series) {
  const points = series.history || [];
  const data = [points.map((p) => p[0] / 1000), points.map((p) => p[1])];
  const plot = new window.uPlot({
    width: 320, height: 90, legend: { show: false }, cursor: { show: false },
    scales: { x: { time: true } },
    axes: [{ size: 24 }, { size: 60 }],
    series: [{}, { stroke: '#2563eb', width: 1.5 }],
  }, data, container);
  charts.set(id, { plot, data, dirty: false });
}

function send(node, component, command, payload, reply) {
  reply.textContent = 'sending...';
  fetch('/api/command', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ node, component, command, payload }),
  }).then(async (r) => {
    reply.textContent = r.ok ? 'sent' : `refused: ${await r.text()}`;
    reply.dataset.result = r.ok ? 'sent' : 'refused';
  }, (e) => { reply.textContent = `failed: ${e}`; reply.dataset.result = 'failed'; });
}

function apply(update) {
  if (update.kind === 'status') {
    const node = fleet.nodes[update.node];
    if (!node) { fleet.nodes[update.node] = { online: update.online, components: {} }; return true; }
    node.online = update.online;
    const badge = document.querySelector(`section[data-node="${update.node}"] .status`);
    const status = update.online ? 'online' : 'offline';
    if (badge) { badge.dataset.status = status; badge.textContent = status; }
    return false;
  }
  if (update.kind === 'accepts') {
    const node = fleet.nodes[update.node] ??= { online: null, components: {} };
    const component = node.components[update.component] ??= { accepts: [], quantities: {} };
    component.accepts = update.accepts;
    return true;
  }
  if (update.kind === 'reading') {
    const node = fleet.nodes[update.node] ??= { online: null, components: {} };
    const component = node.components[update.component] ??= { accepts: [], quantities: {} };
    let series = component.quantities[update.quantity];
    const fresh = !series;
    if (fresh) series = component.quantities[update.quantity] = { history: [] };
    series.value = update.value;
    series.unit = update.unit;
    series.timestamp = update.timestamp;
    const last = series.history[series.history.length - 1];
    if (!last || update.timestamp >= last[0] + 1000) series.history.push([update.timestamp, update.value]);
    while (series.history.length && series.history[0][0] < update.timestamp - HISTORY_MS) series.history.shift();
    if (fresh) return true;
    const cell = document.querySelector(
      `.value[data-node="${update.node}"][data-component="${update.component}"][data-quantity="${update.quantity}"]`);
    if (cell) cell.textContent = `${format(update.value)} ${update.unit}`.trim();
    const chart = charts.get(key(update.node, update.component, update.quantity));
    if (chart) chart.dirty = true;
    return false;
  }
  return false;
}

async function load() {
  const r = await fetch('/api/snapshot');
  const snapshot = await r.json();
  fleet.nodes = snapshot.nodes;
  document.getElementById('broker').dataset.connected = snapshot.connected;
  render();
}

// Charts are redrawn at most once a second.
setInterval(() => {
  for (const [id, chart] of charts) {
    if (!chart.dirty) continue;
    const [node, component, quantity] = id.split('/');
    const history = fleet.nodes[node].components[component].quantities[quantity].history;
    chart.plot.setData([history.map((p) => p[0] / 1000), history.map((p) => p[1])]);
    chart.dirty = false;
  }
}, 1000);

let pending = false;
function schedule() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => { pending = false; render(); });
}

load().then(() => {
  const events = new EventSource('/api/events');
  events.addEventListener('update', (e) => { if (apply(JSON.parse(e.data))) schedule(); });
  events.addEventListener('resync', () => load());
  events.onopen = () => { document.getElementById('broker').dataset.connected = 'true'; };
  setInterval(() => fetch('/api/snapshot?history=false').then((r) => r.json()).then((s) => {
    document.getElementById('broker').dataset.connected = s.connected;
  }), 5000);
  document.body.dataset.state = 'live';
}, (e) => { document.body.dataset.state = 'error'; console.error(e); });
