/**
 * The browser code of the dashboard (served as `/dashboard.js`): reads the credential once
 * (`#token=` / `#access_hash=` in the address, or the form), keeps it in sessionStorage, polls
 * the runner's own `/jsonstats` every two seconds and redraws. Everything is drawn with DOM
 * calls and textContent (never innerHTML), so no value from the runner can become markup.
 * The role sections live in dashboard-sections-script.ts. Plain JavaScript text, no backticks.
 */
import { DASHBOARD_SECTIONS_SCRIPT } from './dashboard-sections-script.ts';

const CORE_SCRIPT = String.raw`
'use strict';
const POLL_MS = 2000;
const STORAGE_KEY = 'cocoon-dashboard-credential';
const role = document.body.dataset.role || 'runner';
const byId = (id) => document.getElementById(id);
let credential = takeCredential();
let timer;
let updates = 0;
let allFieldsOpen = role === 'runner';

function validCredential(value) {
  return value !== null && typeof value === 'object' && typeof value.value === 'string' && value.value !== '' && (value.kind === 'token' || value.kind === 'access_hash');
}

/** The credential from the address (then removed from it) or from this tab's sessionStorage. */
function takeCredential() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const query = new URLSearchParams(location.search);
  let found = null;
  if (fragment.get('token')) found = { kind: 'token', value: fragment.get('token') };
  else if (fragment.get('access_hash')) found = { kind: 'access_hash', value: fragment.get('access_hash') };
  else if (query.get('access_hash')) found = { kind: 'access_hash', value: query.get('access_hash') };
  if (found) {
    remember(found);
    history.replaceState(null, '', location.pathname);
    return found;
  }
  try {
    const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || 'null');
    return validCredential(saved) ? saved : null;
  } catch (error) {
    return null;
  }
}

function remember(value) {
  try {
    if (value) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(value));
    else sessionStorage.removeItem(STORAGE_KEY);
  } catch (error) {
    /* storage disabled: the credential lives until the page closes */
  }
  byId('forget').hidden = !value;
}

/** Builds an element; children are nodes or text (text is never parsed as markup). */
function h(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(4)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

const isNumber = (value) => typeof value === 'number' && Number.isFinite(value);
const list = (value) => (Array.isArray(value) ? value.filter((item) => item !== null && typeof item === 'object') : []);
const object = (value) => (value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {});
/** A counter's cumulative total ([total, 1s, 10s, 1m, 10m, 1h, 1d] or a plain number). */
const total = (counter) => (Array.isArray(counter) ? counter[0] : counter);

/** Integers (numbers, or strings beyond 2^53) as BigInt; null for anything else. */
function big(value) {
  if (typeof value === 'bigint') return value;
  if (isNumber(value) && Number.isInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  return null;
}

function sumBig(rows, key) {
  let sum = 0n;
  for (const row of rows) sum += big(row[key]) ?? 0n;
  return sum;
}

function count(value) {
  if (typeof value === 'string' && value !== '') return value;
  if (!isNumber(value)) return '\u2014';
  if (Number.isInteger(value)) return String(value);
  return value.toFixed(Math.abs(value) < 10 ? 2 : 1);
}

/** nanoTON as TON with every significant digit. */
function ton(nano) {
  const negative = nano < 0n;
  const magnitude = negative ? -nano : nano;
  const fraction = (magnitude % 1000000000n).toString().padStart(9, '0').replace(/0+$/, '');
  return (negative ? '-' : '') + (magnitude / 1000000000n).toString() + (fraction ? '.' + fraction : '') + ' TON';
}

function money(nano, sub) {
  if (nano === null) return { value: '\u2014', sub: sub || 'unknown' };
  return { value: ton(nano), sub: nano.toString() + ' nanoTON' + (sub ? ' \u00b7 ' + sub : '') };
}

/** A decayed one-minute sum as a per-second rate. */
function perSecond(counter) {
  return Array.isArray(counter) && isNumber(counter[3]) ? (counter[3] / 60).toFixed(2) : '\u2014';
}

function card(item) {
  return h('div', { class: 'card', 'data-field': item.field },
    h('div', { class: 'label' }, item.label), h('div', { class: 'value' }, item.value), item.sub ? h('div', { class: 'sub' }, item.sub) : null);
}

function cards(items) {
  return h('div', { class: 'cards' }, items.filter(Boolean).map(card));
}

function section(title, field, ...content) {
  return h('section', { 'data-section': field }, h('h2', {}, title), content);
}

function flag(value) {
  if (value === undefined || value === null) return '\u2014';
  return h('span', { class: value ? 'yes' : 'no' }, value ? 'yes' : 'no');
}

function loadBar(running, capacity) {
  if (!isNumber(running)) return '\u2014';
  const fill = h('span');
  if (isNumber(capacity) && capacity > 0) fill.style.width = Math.min(100, Math.round((running / capacity) * 100)) + '%';
  return h('span', {}, h('span', { class: 'bar' }, fill), running + ' / ' + (isNumber(capacity) ? capacity : '?'));
}

/** columns: { key, label, kind?, value(row) → text | node }. */
function table(field, columns, rows, empty) {
  if (rows.length === 0) return h('p', { class: 'muted', 'data-table': field }, empty);
  return h('div', { class: 'scroll' }, h('table', { 'data-table': field },
    h('thead', {}, h('tr', {}, columns.map((column) => h('th', {}, column.label)))),
    h('tbody', {}, rows.map((row) => h('tr', {}, columns.map((column) => {
      const value = column.value(row);
      return h('td', { class: column.kind, 'data-column': column.key }, value === undefined || value === null || value === '' ? '\u2014' : value);
    }))))));
}

function facts(field, pairs) {
  return h('dl', { 'data-facts': field }, pairs.filter((pair) => pair[1] !== undefined).map((pair) => [h('dt', {}, pair[0]), h('dd', {}, pair[1] === null || pair[1] === '' ? '\u2014' : pair[1])]));
}

/** Any JSON value as nested tables (the "All fields" view). */
function anyValue(value, depth) {
  if (value === null || value === undefined) return '';
  if (depth > 8 || typeof value !== 'object') return typeof value === 'string' ? value : JSON.stringify(value);
  if (Array.isArray(value)) {
    if (value.every((item) => item === null || typeof item !== 'object')) return value.map((item) => (isNumber(item) ? count(item) : String(item))).join(' / ');
    return h('ol', {}, value.map((item) => h('li', {}, anyValue(item, depth + 1))));
  }
  return h('table', {}, Object.entries(value).map((entry) => h('tr', {}, h('th', {}, entry[0]), h('td', {}, anyValue(entry[1], depth + 1)))));
}

function allFields(data) {
  const details = h('details', { 'data-section': 'all-fields', open: allFieldsOpen }, h('summary', {}, 'All fields (as /jsonstats has them)'), anyValue(data, 0));
  details.addEventListener('toggle', () => { allFieldsOpen = details.open; });
  return details;
}

function setState(kind, text) {
  const state = byId('state');
  state.className = 'pill ' + kind;
  state.textContent = text;
  document.body.dataset.state = kind;
}

function notice(text) {
  const box = byId('notice');
  box.textContent = text || '';
  box.hidden = !text;
}

function show(data) {
  const sections = role === 'proxy' ? proxySections(data) : role === 'worker' ? workerSections(data) : role === 'client' ? clientSections(data) : [];
  byId('content').replaceChildren(...sections.filter(Boolean), allFields(data));
  byId('login').hidden = true;
  notice('');
  setState('live', 'live');
  updates += 1;
  document.body.dataset.updates = String(updates);
  byId('updated').textContent = 'updated ' + new Date().toLocaleTimeString() + ' \u00b7 every ' + POLL_MS / 1000 + ' s';
}

function refused() {
  byId('content').replaceChildren();
  setState('refused', 'data refused');
  notice((credential ? 'The runner refused the credential this page sent (401). ' : 'Data refused (401): this runner\'s statistics need a credential. ')
    + 'Enter the admin token (the file named by admin_token_file) or the access hash (http_access_hash) below, or open /dashboard#token=<admin token>.');
  byId('login').hidden = false;
}

function failed(text) {
  setState('error', 'unreachable');
  notice(text + ' \u2014 the numbers below may be stale; retrying every ' + POLL_MS / 1000 + ' s.');
}

async function poll() {
  clearTimeout(timer);
  const headers = { accept: 'application/json' };
  let url = '/jsonstats';
  if (credential && credential.kind === 'token') headers.authorization = 'Bearer ' + credential.value;
  if (credential && credential.kind === 'access_hash') url += '?access_hash=' + encodeURIComponent(credential.value);
  try {
    const response = await fetch(url, { headers, cache: 'no-store', credentials: 'omit', redirect: 'error' });
    if (response.status === 401) refused();
    else if (!response.ok) failed('This runner answered HTTP ' + response.status + ' to /jsonstats: ' + (await response.text()).slice(0, 200));
    else show(await response.json());
  } catch (error) {
    failed('Cannot reach this runner (' + String((error && error.message) || error) + ')');
  }
  timer = setTimeout(poll, POLL_MS);
}

byId('login').addEventListener('submit', (event) => {
  event.preventDefault();
  const value = byId('token-input').value.trim();
  if (!value) return;
  credential = { kind: byId('credential-kind').value === 'access_hash' ? 'access_hash' : 'token', value };
  byId('token-input').value = '';
  remember(credential);
  void poll();
});
byId('forget').addEventListener('click', () => {
  credential = null;
  remember(null);
  void poll();
});
byId('forget').hidden = !credential;
void poll();
`;

/** The whole `/dashboard.js`, wrapped so nothing leaks into the page's global scope. */
export const DASHBOARD_SCRIPT = `(() => {\n${CORE_SCRIPT}\n${DASHBOARD_SECTIONS_SCRIPT}\n})();\n`;
