/**
 * The attestation verdict box (`data-testid="attestation-status"`): what the page itself verified of
 * the selected model's workers. Verified: a compact summary ("✓ Attestation verified · tdx · 2 workers",
 * the authority's name under it) always visible, the details (image hash, attested model, the authority the quotes chain
 * to, TEE, allow-lists, keys valid until) in a <details> open until the first message is sent, then
 * collapsed (the reader can reopen it; that choice is kept across later verdicts). Refused: the reason,
 * always in full, and nothing can be sent. Text only (never HTML from the network).
 */
import { authorityLabel, type AttestationVerdict } from '@cocoon/sdk';

/** How many hex digits of an image hash or key id the box shows. */
export const HASH_PREFIX_LENGTH = 16;

const distinct = (values: Iterable<string>): string[] => [...new Set(values)];
const shortHex = (hex: string): string => (hex.length > HASH_PREFIX_LENGTH ? `${hex.slice(0, HASH_PREFIX_LENGTH)}…` : hex);
/** `name@revision:hash` with the 64-digit model hash shortened (a phone shows it on one line). */
const shortModel = (model: string): string => model.replace(/([0-9a-f]{16})[0-9a-f]{48}$/i, '$1…');

/** A fact: its name, its value and whether the value is an identifier (a hash, a model string: broken anywhere to fit). */
type Fact = [name: string, value: string, identifier?: boolean];

function facts(document: Document, rows: readonly Fact[]): HTMLDListElement {
  const list = document.createElement('dl');
  list.className = 'facts';
  for (const [name, value, identifier] of rows) {
    const term = document.createElement('dt');
    term.textContent = name;
    const detail = document.createElement('dd');
    detail.textContent = value;
    if (identifier) detail.className = 'identifier';
    // A space between the pairs keeps textContent readable ("Image 1a2b… Model …").
    list.append(term, ' ', detail, ' ');
  }
  return list;
}

function paragraph(document: Document, className: string, text: string): HTMLParagraphElement {
  const element = document.createElement('p');
  element.className = className;
  element.textContent = text;
  return element;
}

/** An ISO 8601 time to the second (undefined when it is not one). */
function validUntilText(value: string): string | undefined {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class AttestationView {
  /** Whether a verified verdict shows its details: until the first message is sent, then as the reader left it. */
  private expanded = true;

  constructor(private readonly element: HTMLElement) {}

  /** Verification in progress for `model`. */
  showPending(model: string): void {
    this.element.dataset.state = 'pending';
    this.element.replaceChildren(paragraph(this.element.ownerDocument, 'verdict', `Checking the attestation of ${model}…`));
  }

  /** The verdict: verified when at least one worker's evidence verified, refused otherwise. */
  showVerdict(verdict: AttestationVerdict): boolean {
    const workers = verdict.workers;
    if (!verdict.verified || workers.length === 0) {
      const reasons = distinct(verdict.refused.map((entry) => entry.reason));
      this.showRefused(reasons.length > 0 ? reasons.join('; ') : `no worker of ${verdict.model} presented evidence`);
      return false;
    }
    const document = this.element.ownerDocument;
    const tees = distinct(workers.map((worker) => worker.tee)).join(', ');
    const rows: Fact[] = [
      ['Image', distinct(workers.map((worker) => shortHex(worker.imageHash))).join(', '), true],
      ['Model', distinct(workers.map((worker) => shortModel(worker.model))).join(', '), true],
      ['Authority', distinct(workers.map((worker) => worker.authority || authorityLabel(verdict.authority))).join(', ')],
      ['TEE', tees],
      ['Workers', `${workers.length} verified${verdict.refused.length > 0 ? `, ${verdict.refused.length} refused` : ''}`],
      ['Allow-lists', verdict.trust.hashesChecked ? "image and model checked against the root's allow-lists" : 'not checked (the network lists none)'],
    ];
    const until = workers.map((worker) => validUntilText(worker.validUntil)).filter((text): text is string => text !== undefined).sort()[0];
    if (until) rows.push(['Keys valid until', until]);

    // The summary: "✓ Attestation verified · tdx · 2 workers" and, under it, the authority's name.
    const summary = document.createElement('summary');
    summary.className = 'verdict';
    const line = document.createElement('span');
    line.className = 'verdict-line';
    const title = document.createElement('span');
    title.className = 'verdict-title';
    title.textContent = '✓ Attestation verified';
    const counts = document.createElement('span');
    counts.className = 'verdict-summary';
    counts.textContent = `· ${tees} · ${workers.length} ${workers.length === 1 ? 'worker' : 'workers'}`;
    // The space text nodes are not rendered (flex and block layout) but keep textContent readable.
    line.append(title, ' ', counts);
    const authority = document.createElement('span');
    authority.className = 'verdict-authority';
    authority.textContent = verdict.authority.name;
    summary.append(line, ' ', authority);
    summary.title = `Attestation verified in this page for ${verdict.model}: ${tees}, ${workers.length} verified, ${authorityLabel(verdict.authority)}`;
    const details = document.createElement('details');
    details.className = 'verdict-details';
    details.open = this.expanded;
    details.addEventListener('toggle', () => {
      this.expanded = details.open;
    });
    // Spaces keep textContent readable ("… (test network) Verified in this page for …").
    details.append(summary, ' ', paragraph(document, 'verdict-scope', `Verified in this page for ${verdict.model}`), ' ', facts(document, rows));
    this.element.dataset.state = 'verified';
    this.element.replaceChildren(details);
    return true;
  }

  /** The first message was sent: a verified verdict folds to its summary line (the reader can reopen it). */
  collapse(): void {
    this.expanded = false;
    const details = this.element.querySelector('details');
    if (details) details.open = false;
  }

  /** Refused (or not checkable): the reason is shown and the page sends nothing. */
  showRefused(reason: string): void {
    this.element.dataset.state = 'refused';
    const document = this.element.ownerDocument;
    this.element.replaceChildren(paragraph(document, 'verdict', '✗ Attestation refused: nothing will be sent'), ' ', paragraph(document, 'reason', reason));
  }
}
