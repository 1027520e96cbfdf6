/**
 * Minimal strict DER walker: just enough to read an X.509 certificate on the TLS hot path
 * (definite lengths only, bounds checked). Malformed input throws CCN_ERR_ATTEST_BAD_CERTIFICATE.
 */
import { CocoonError } from '@cocoon/protocol/browser';

export const DerTag = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  objectIdentifier: 0x06,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
} as const;

/** One tag-length-value element; `bytes` is the whole element, `value` its content. */
export interface DerElement {
  readonly tag: number;
  readonly bytes: Buffer;
  readonly value: Buffer;
}

export function malformed(what: string): CocoonError {
  return new CocoonError('CCN_ERR_ATTEST_BAD_CERTIFICATE', `malformed certificate: ${what}`);
}

/** Reads the element starting at `offset` of `buffer`. */
export function readDerElement(buffer: Buffer, offset: number): DerElement {
  if (offset + 2 > buffer.length) throw malformed('truncated element header');
  const tag = buffer[offset]!;
  if ((tag & 0x1f) === 0x1f) throw malformed('multi-byte tags are not supported');
  let length = buffer[offset + 1]!;
  let headerLength = 2;
  if (length & 0x80) {
    const lengthBytes = length & 0x7f;
    if (lengthBytes === 0 || lengthBytes > 4) throw malformed('unsupported length encoding');
    if (offset + 2 + lengthBytes > buffer.length) throw malformed('truncated length');
    length = 0;
    for (let index = 0; index < lengthBytes; index++) length = length * 256 + buffer[offset + 2 + index]!;
    headerLength += lengthBytes;
  }
  const end = offset + headerLength + length;
  if (end > buffer.length) throw malformed('element runs past its container');
  return { tag, bytes: buffer.subarray(offset, end), value: buffer.subarray(offset + headerLength, end) };
}

/** Splits the content of a constructed element into its children. */
export function readDerChildren(element: DerElement): DerElement[] {
  const children: DerElement[] = [];
  let offset = 0;
  while (offset < element.value.length) {
    const child = readDerElement(element.value, offset);
    children.push(child);
    offset += child.bytes.length;
  }
  return children;
}

export function expectTag(element: DerElement | undefined, tag: number, what: string): DerElement {
  if (!element || element.tag !== tag) throw malformed(`expected ${what}`);
  return element;
}

export function decodeObjectIdentifier(element: DerElement): string {
  const bytes = expectTag(element, DerTag.objectIdentifier, 'object identifier').value;
  if (bytes.length === 0) throw malformed('empty object identifier');
  const arcs: number[] = [];
  let arc = 0;
  for (const byte of bytes) {
    arc = arc * 128 + (byte & 0x7f);
    if (arc > Number.MAX_SAFE_INTEGER / 128) throw malformed('object identifier arc too large');
    if ((byte & 0x80) === 0) {
      if (arcs.length === 0) arcs.push(arc < 80 ? Math.floor(arc / 40) : 2, arc < 80 ? arc % 40 : arc - 80);
      else arcs.push(arc);
      arc = 0;
    }
  }
  if (bytes[bytes.length - 1]! & 0x80) throw malformed('truncated object identifier');
  return arcs.join('.');
}

/** Decodes UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ). */
export function decodeTime(element: DerElement | undefined): Date {
  if (!element || (element.tag !== DerTag.utcTime && element.tag !== DerTag.generalizedTime)) throw malformed('expected a time');
  const text = element.value.toString('latin1');
  const match = element.tag === DerTag.utcTime
    ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
    : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) throw malformed(`bad time "${text}"`);
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const fullYear = element.tag === DerTag.utcTime ? (year < 50 ? 2000 + year : 1900 + year) : year;
  return new Date(Date.UTC(fullYear, month - 1, day, hour, minute, second));
}
