/** Minimal DER encoder (SEQUENCE, OID, OCTET STRING, INTEGER, ENUMERATED) for the SGX PCK extension. */

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let remaining = length; remaining > 0; remaining = Math.floor(remaining / 256)) bytes.unshift(remaining & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tagged(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

export function derSequence(items: readonly Buffer[]): Buffer {
  return tagged(0x30, Buffer.concat(items));
}

export function derOctetString(value: Buffer): Buffer {
  return tagged(0x04, value);
}

function encodeUnsigned(value: number): Buffer {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`DER integer must be a non-negative safe integer, got ${value}`);
  const bytes: number[] = [];
  for (let remaining = value; remaining > 0; remaining = Math.floor(remaining / 256)) bytes.unshift(remaining & 0xff);
  if (bytes.length === 0 || (bytes[0]! & 0x80) !== 0) bytes.unshift(0);
  return Buffer.from(bytes);
}

export function derInteger(value: number): Buffer {
  return tagged(0x02, encodeUnsigned(value));
}

export function derEnumerated(value: number): Buffer {
  return tagged(0x0a, encodeUnsigned(value));
}

export function derObjectIdentifier(oid: string): Buffer {
  const arcs = oid.split('.').map(Number);
  if (arcs.length < 2 || arcs.some((arc) => !Number.isSafeInteger(arc) || arc < 0)) throw new RangeError(`invalid OID ${oid}`);
  const bytes: number[] = [];
  const pushArc = (arc: number): void => {
    const chunk: number[] = [arc & 0x7f];
    for (let remaining = Math.floor(arc / 128); remaining > 0; remaining = Math.floor(remaining / 128)) chunk.unshift(0x80 | (remaining & 0x7f));
    bytes.push(...chunk);
  };
  pushArc(arcs[0]! * 40 + arcs[1]!);
  for (const arc of arcs.slice(2)) pushArc(arc);
  return tagged(0x06, Buffer.from(bytes));
}
