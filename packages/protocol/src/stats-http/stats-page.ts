/**
 * Renders the client's JSON statistics (§8.3) as a small self-contained HTML page: objects become
 * two-column tables, arrays of objects become tables with one row per element.
 */

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function renderScalar(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return escapeHtml(value);
  return escapeHtml(JSON.stringify(value) ?? '');
}

function renderValue(value: unknown, depth: number): string {
  if (depth > 8) return renderScalar(JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner)));
  if (isPlainObject(value)) return renderObjectTable(value, depth);
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every(isPlainObject)) return renderRowsTable(value, depth);
    if (value.every((element) => !isPlainObject(element) && !Array.isArray(element))) return value.map(renderScalar).join(' / ');
    return `<ol>${value.map((element) => `<li>${renderValue(element, depth + 1)}</li>`).join('')}</ol>`;
  }
  return renderScalar(value);
}

function renderObjectTable(object: Record<string, unknown>, depth: number): string {
  const rows = Object.entries(object).map(([key, value]) => `<tr><th>${escapeHtml(key)}</th><td>${renderValue(value, depth + 1)}</td></tr>`);
  return `<table>${rows.join('')}</table>`;
}

function renderRowsTable(rows: Record<string, unknown>[], depth: number): string {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const head = `<tr>${columns.map((column) => `<th>${escapeHtml(column)}</th>`).join('')}</tr>`;
  const body = rows.map((row) => `<tr>${columns.map((column) => `<td>${renderValue(row[column], depth + 1)}</td>`).join('')}</tr>`);
  return `<table>${head}${body.join('')}</table>`;
}

/** The /stats page: one section per top-level key. */
export function renderStatsPage(stats: Record<string, unknown>, title = 'COCOON'): string {
  const sections = Object.entries(stats).map(([key, value]) => `<h2>${escapeHtml(key)}</h2>${renderValue(value, 0)}`);
  return [
    '<!DOCTYPE html><html><head><meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    '<style>body{font-family:sans-serif;margin:1em}table{border-collapse:collapse;margin:.3em 0}th,td{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}th{background:#f3f3f3}</style>',
    `</head><body><h1>${escapeHtml(title)}</h1>${sections.join('')}</body></html>`,
  ].join('');
}
