// async-patterns console page. Every value from the server is untrusted text: it is put into the
// page with textContent / setAttribute only, never as markup (no innerHTML anywhere).
'use strict';

const state = {
  history: {},      // panel -> figure -> [[at, value], ...]
  maxPoints: 300,
  token: '',
  lastLetters: '',
};

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'text') node.textContent = v;
    else if (k === 'className') node.className = v;
    else node.setAttribute(k, v);
  }
  for (const child of children) if (child) node.appendChild(child);
  return node;
}

function formatValue(figure) {
  if (figure.value === null) return '–';
  if (figure.kind === 'ratio') return (figure.value * 100).toFixed(1) + ' %';
  const v = figure.value;
  return Number.isInteger(v) ? v.toLocaleString('en') : v.toFixed(2);
}

function remember(panel, figure, at, value) {
  const byFigure = state.history[panel] || (state.history[panel] = {});
  const series = byFigure[figure] || (byFigure[figure] = []);
  if (series.length && series[series.length - 1][0] >= at) return;
  series.push([at, value]);
  if (series.length > state.maxPoints) series.shift();
}

// a counter is charted as its rate per second, a gauge or ratio as its value
function points(series, kind) {
  if (kind !== 'counter') return series.map(p => p[1]);
  const rates = [];
  for (let i = 1; i < series.length; i++) {
    const dt = (series[i][0] - series[i - 1][0]) / 1000;
    rates.push(dt > 0 && series[i][1] !== null && series[i - 1][1] !== null ? (series[i][1] - series[i - 1][1]) / dt : 0);
  }
  return rates;
}

function draw(canvas, values) {
  const ratio = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || 110, h = canvas.clientHeight || 22;
  canvas.width = w * ratio; canvas.height = h * ratio;
  const g = canvas.getContext('2d');
  g.scale(ratio, ratio);
  g.clearRect(0, 0, w, h);
  if (values.length < 2) return;
  const max = Math.max(...values, 1e-9), min = Math.min(...values, 0);
  g.strokeStyle = '#3b6fd6'; g.lineWidth = 1.2; g.beginPath();
  values.forEach((v, i) => {
    const x = i * (w - 2) / (values.length - 1) + 1;
    const y = h - 2 - (v - min) / (max - min || 1) * (h - 4);
    if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
  });
  g.stroke();
}

function renderPanels(snapshot) {
  const root = document.getElementById('panels');
  for (const panel of snapshot.panels) {
    let card = root.querySelector(`[data-panel="${CSS.escape(panel.name)}"]`);
    if (!card) {
      card = el('div', { className: 'panel', 'data-panel': panel.name },
        el('h3', {}, el('span', { text: panel.name }), el('span', { className: 'kind', text: panel.kind }),
          el('span', { className: 'state' })),
        el('table', {}, el('tbody')));
      root.appendChild(card);
    }
    const badge = card.querySelector('.state');
    const word = panel.error ? 'error: ' + panel.error : panel.state;
    badge.textContent = word;
    badge.className = 'state ' + (panel.error ? 'error' : panel.state);
    badge.hidden = !word;
    const body = card.querySelector('tbody');
    for (const figure of panel.figures) {
      remember(panel.name, figure.name, snapshot.at, figure.value);
      let row = body.querySelector(`[data-figure="${CSS.escape(figure.name)}"]`);
      if (!row) {
        row = el('tr', { 'data-figure': figure.name },
          el('td', { text: figure.name }), el('td', { className: 'value' }), el('td', { className: 'rate' }),
          el('td', {}, el('canvas', { className: 'chart' })));
        body.appendChild(row);
      }
      row.querySelector('.value').textContent = formatValue(figure);
      const series = state.history[panel.name][figure.name];
      const values = points(series, figure.kind);
      row.querySelector('.rate').textContent =
        figure.kind === 'counter' && values.length ? values[values.length - 1].toFixed(1) + '/s' : '';
      draw(row.querySelector('canvas'), values);
    }
  }
}

function headers() {
  return state.token ? { 'X-Console-Token': state.token } : {};
}

async function loadDeadLetters(force) {
  let text;
  try {
    const response = await fetch('/api/dead-letters', { headers: headers() });
    text = await response.text();
  } catch (e) {
    return;
  }
  // re-render only when something changed: an operator's open history or a button under the
  // pointer must not be replaced every few seconds
  if (!force && text === state.lastLetters) return;
  state.lastLetters = text;
  const data = JSON.parse(text);
  const note = document.getElementById('dead-letters-note');
  note.textContent = !data.actions ? 'Read-only console: the application configured no operator token.'
    : data.details ? '' : 'Enter the operator token to see payloads and error messages and to replay or purge.';
  const root = document.getElementById('dead-letters');
  root.replaceChildren();
  for (const source of data.sources) {
    const body = el('tbody');
    const box = el('div', { className: 'letters', 'data-source': source.name },
      el('h3', { text: source.name + ' (' + source.letters.length + ')' }),
      source.error ? el('p', { className: 'note', text: 'unavailable: ' + source.error }) : null,
      el('table', {}, el('thead', {}, el('tr', {}, el('th', { text: 'id' }), el('th', { text: 'payload' }),
        el('th', { text: 'attempts' }), el('th', { text: 'last error' }), el('th', { text: '' }))), body));
    for (const letter of source.letters) {
      const last = letter.attempts[letter.attempts.length - 1];
      const history = el('details', {}, el('summary', { text: String(letter.attempts.length) }),
        el('ol', {}, ...letter.attempts.map(a => el('li', {
          text: a.finishedAt + ' ' + a.errorType + (a.errorMessage === null ? '' : ': ' + a.errorMessage) }))));
      const payload = letter.payload === null ? el('span', { className: 'hidden', text: 'hidden' })
        : el('span', { className: 'payload', text: letter.payload });
      const actions = el('td', {});
      for (const action of ['replay', 'purge']) {
        const button = el('button', { type: 'button', 'data-action': action, text: action === 'replay' ? 'Replay' : 'Purge' });
        button.disabled = !data.actions || !state.token;
        button.addEventListener('click', () => act(source.name, letter.id, action));
        actions.appendChild(button);
      }
      body.appendChild(el('tr', { 'data-letter': letter.id }, el('td', { text: letter.id }), el('td', {}, payload),
        el('td', {}, history),
        el('td', { text: last ? last.errorType + (last.errorMessage === null ? '' : ': ' + last.errorMessage) : '' }),
        actions));
    }
    root.appendChild(box);
  }
}

async function act(source, id, action) {
  const response = await fetch('/api/dead-letters/' + encodeURIComponent(source) + '/' + encodeURIComponent(id)
    + '/' + action, { method: 'POST', headers: headers() });
  const result = await response.json().catch(() => ({ message: 'HTTP ' + response.status }));
  document.getElementById('action-result').textContent = action + ' ' + source + '/' + id + ': ' + result.message;
  loadDeadLetters(true);
}

async function start() {
  document.getElementById('token').addEventListener('change', e => { state.token = e.target.value.trim(); loadDeadLetters(true); });
  try {
    const history = await (await fetch('/api/history')).json();
    state.history = history;
  } catch (e) { /* the stream fills it */ }
  const status = document.getElementById('status');
  const events = new EventSource('/api/events');
  events.onopen = () => { status.textContent = 'live'; status.className = 'status live'; };
  events.onerror = () => { status.textContent = 'reconnecting…'; status.className = 'status down'; };
  events.onmessage = message => {
    const snapshot = JSON.parse(message.data);
    state.maxPoints = Math.max(2, Math.round(300000 / Math.max(50, snapshot.interval)));
    renderPanels(snapshot);
    document.body.setAttribute('data-updated', String(snapshot.at));
  };
  loadDeadLetters(true);
  setInterval(() => loadDeadLetters(false), 3000);
}

start();
