/**
 * TVM stack encodings of the toncenter v2 API: the server side (local chain) renders get
 * method results as toncenter does (`['num','0x..']`, `['cell',{bytes,object}]`,
 * `['tuple',{elements:[tvm.stackEntry…]}]`) and reads arguments as @ton/ton sends them
 * (`['num','123']`, `['tvm.Cell', base64]`…); the client side repairs the tuple items
 * that @ton/ton's TonClient leaves as raw values.
 */
import { CocoonError } from '@cocoon/protocol';
import { Cell, type TupleItem } from '@ton/core';

type JsonEntry = Record<string, unknown>;

/** One top-level stack item as toncenter returns it. */
export function encodeToncenterStackItem(item: TupleItem): [string, unknown] {
  switch (item.type) {
    case 'int':
      return ['num', encodeHexNumber(item.value)];
    case 'nan':
      return ['num', 'NaN'];
    case 'null':
      return ['null', null];
    case 'cell':
      return ['cell', { bytes: bocBase64(item.cell), object: describeCell(item.cell) }];
    case 'slice':
      return ['slice', { bytes: bocBase64(item.cell), object: describeCell(item.cell) }];
    case 'builder':
      return ['builder', { bytes: bocBase64(item.cell), object: describeCell(item.cell) }];
    case 'tuple':
      return ['tuple', { '@type': 'tvm.tuple', elements: item.items.map(encodeStackEntry) }];
  }
}

/** A stack item nested in a tuple (tonlib `tvm.stackEntry…` objects). Null is an empty list, as TonClient reads it. */
function encodeStackEntry(item: TupleItem): JsonEntry {
  switch (item.type) {
    case 'int':
      return { '@type': 'tvm.stackEntryNumber', number: { '@type': 'tvm.numberDecimal', number: item.value.toString() } };
    case 'cell':
    case 'builder':
      return { '@type': 'tvm.stackEntryCell', cell: { '@type': 'tvm.cell', bytes: bocBase64(item.cell) } };
    case 'slice':
      return { '@type': 'tvm.stackEntrySlice', slice: { '@type': 'tvm.slice', bytes: bocBase64(item.cell) } };
    case 'tuple':
      return { '@type': 'tvm.stackEntryTuple', tuple: { '@type': 'tvm.tuple', elements: item.items.map(encodeStackEntry) } };
    case 'null':
    case 'nan':
      return { '@type': 'tvm.stackEntryList', list: { '@type': 'tvm.list', elements: [] } };
  }
}

/** Reads one get-method argument: `['num', '123' | '-0x1f']`, `['tvm.Cell' | 'cell', base64 | {bytes}]`, slices, builders, null. */
export function decodeToncenterStackArgument(entry: unknown): TupleItem {
  if (!Array.isArray(entry) || typeof entry[0] !== 'string') throw badArgument('a stack entry must be [type, value]');
  const [kind, value] = entry as [string, unknown];
  switch (kind) {
    case 'num':
    case 'int':
      return { type: 'int', value: parseNumber(value) };
    case 'null':
      return { type: 'null' };
    case 'tvm.Cell':
    case 'cell':
      return { type: 'cell', cell: parseCell(value) };
    case 'tvm.Slice':
    case 'slice':
      return { type: 'slice', cell: parseCell(value) };
    case 'tvm.Builder':
    case 'builder':
      return { type: 'builder', cell: parseCell(value) };
    default:
      throw badArgument(`unsupported stack entry type '${kind}'`);
  }
}

/**
 * TonClient turns tuple elements into raw values (bigint, Cell, nested arrays); this makes them
 * TupleItems again. An empty nested list stands for null.
 */
export function repairTonClientStackItem(item: unknown): TupleItem {
  if (typeof item === 'bigint') return { type: 'int', value: item };
  if (item instanceof Cell) return { type: 'cell', cell: item };
  if (Array.isArray(item)) return item.length === 0 ? { type: 'null' } : { type: 'tuple', items: item.map(repairTonClientStackItem) };
  if (item !== null && typeof item === 'object' && 'type' in item) {
    const tupleItem = item as TupleItem;
    return tupleItem.type === 'tuple' ? { type: 'tuple', items: tupleItem.items.map(repairTonClientStackItem) } : tupleItem;
  }
  throw new CocoonError('CCN_ERR_TON_UNAVAILABLE', 'chain API returned an unreadable stack item');
}

function encodeHexNumber(value: bigint): string {
  return value < 0n ? `-0x${(-value).toString(16)}` : `0x${value.toString(16)}`;
}

function parseNumber(value: unknown): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value !== 'string' || !/^-?(0x[0-9a-fA-F]+|\d+)$/.test(value)) throw badArgument(`bad number ${JSON.stringify(value)}`);
  return value.startsWith('-') ? -BigInt(value.slice(1)) : BigInt(value);
}

function parseCell(value: unknown): Cell {
  const base64 = typeof value === 'string' ? value : (value as { bytes?: unknown } | null)?.bytes;
  if (typeof base64 !== 'string') throw badArgument('a cell entry needs base64 BOC bytes');
  try {
    const cells = Cell.fromBoc(Buffer.from(base64, 'base64'));
    if (cells.length !== 1 || !cells[0]) throw new Error('expected exactly one root cell');
    return cells[0];
  } catch (error) {
    throw badArgument(`bad cell BOC: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function bocBase64(cell: Cell): string {
  return cell.toBoc({ idx: false }).toString('base64');
}

/** tonlib's JSON view of a cell: data bits (base64, padded) and length, refs, exotic flag. */
function describeCell(cell: Cell): JsonEntry {
  const length = cell.bits.length;
  const bytes = Buffer.alloc(Math.ceil(length / 8));
  for (let index = 0; index < length; index++) {
    if (cell.bits.at(index)) bytes[index >> 3] = (bytes[index >> 3] ?? 0) | (0x80 >> (index & 7));
  }
  return { data: { b64: bytes.toString('base64'), len: length }, refs: cell.refs.map(describeCell), special: cell.isExotic };
}

function badArgument(message: string): CocoonError {
  return new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', `runGetMethod stack: ${message}`, { param: 'stack' });
}
