/** JSON serialization that writes bigint values (nanoTON, token totals) as plain integers. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? (Number.isSafeInteger(Number(inner)) ? Number(inner) : inner.toString()) : inner));
}
