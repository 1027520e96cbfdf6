/**
 * The attestation verdict box (`data-testid="attestation-status"`): what the page itself verified of
 * the selected model's workers — "Attestation verified" with the image hash, the attested model, the
 * authority the quote chains to and the TEE — or "Attestation refused" with the reason, in which case
 * nothing can be sent. Text only (never HTML from the network).
 */
import { authorityLabel, type AttestationVerdict } from '@cocoon/sdk';

/** How many hex digits of an image hash or key id the box shows. */
export const HASH_PREFIX_LENGTH = 16;

const distinct = (values: Iterable<string>): string[] => [...new Set(values)];
const shortHex = (hex: string): string => (hex.length > HASH_PREFIX_LENGTH ? `${hex.slice(0, HASH_PREFIX_LENGTH)}…` : hex);
/** `name@revision:hash` with the 64-digit model hash shortened (a phone shows it on one line). */
const shortModel = (model: string): string => model.replace(/([0-9a-f]{16})[0-9a-f]{48}$/i, '$1…');

function facts(document: Document, rows: ReadonlyArray<[string, string]>): HTMLDListElement {
  const list = document.createElement('dl');
  list.className = 'facts';
  for (const [name, value] of rows) {
    const term = document.createElement('dt');
    term.textContent = name;
    const detail = document.createElement('dd');
    detail.textContent = value;
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
    const rows: Array<[string, string]> = [
      ['Image', distinct(workers.map((worker) => shortHex(worker.imageHash))).join(', ')],
      ['Model', distinct(workers.map((worker) => shortModel(worker.model))).join(', ')],
      ['Authority', distinct(workers.map((worker) => worker.authority || authorityLabel(verdict.authority))).join(', ')],
      ['TEE', distinct(workers.map((worker) => worker.tee)).join(', ')],
      ['Workers', `${workers.length} verified${verdict.refused.length > 0 ? `, ${verdict.refused.length} refused` : ''}`],
      ['Allow-lists', verdict.trust.hashesChecked ? "image and model checked against the root's allow-lists" : 'not checked (the network lists none)'],
    ];
    const until = workers.map((worker) => validUntilText(worker.validUntil)).filter((text): text is string => text !== undefined).sort()[0];
    if (until) rows.push(['Keys valid until', until]);
    this.element.dataset.state = 'verified';
    this.element.replaceChildren(paragraph(document, 'verdict', `✓ Attestation verified in this page for ${verdict.model}`), facts(document, rows));
    return true;
  }

  /** Refused (or not checkable): the reason is shown and the page sends nothing. */
  showRefused(reason: string): void {
    this.element.dataset.state = 'refused';
    const document = this.element.ownerDocument;
    this.element.replaceChildren(paragraph(document, 'verdict', '✗ Attestation refused: nothing will be sent'), paragraph(document, 'reason', reason));
  }
}
