/**
 * Renders an X.509 Name (DER, as in ParsedCertificate.issuer / .subject) as `C=AE, ST=DUBAI, …`.
 * Parsed with our strict DER reader: node's X509Certificate must not be used on RA-TLS
 * certificates, because it parses the first PEM block it finds anywhere in the bytes, and a TDX
 * quote extension embeds the PEM PCK chain.
 */
import { DerTag, decodeObjectIdentifier, expectTag, readDerChildren, readDerElement } from './der-reader.ts';

const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST', '2.5.4.10': 'O', '2.5.4.11': 'OU', '1.2.840.113549.1.9.1': 'E',
};
const SET_TAG = 0x31;

export function formatDistinguishedName(nameDer: Buffer): string {
  const name = expectTag(readDerElement(nameDer, 0), DerTag.sequence, 'name');
  const parts: string[] = [];
  for (const relativeName of readDerChildren(name)) {
    for (const attribute of readDerChildren(expectTag(relativeName, SET_TAG, 'relative distinguished name'))) {
      const [type, value] = readDerChildren(expectTag(attribute, DerTag.sequence, 'attribute'));
      const oid = decodeObjectIdentifier(expectTag(type, DerTag.objectIdentifier, 'attribute type'));
      const text = value ? value.value.toString(value.tag === 0x1e ? 'utf16le' : 'utf8') : '';
      parts.push(`${ATTRIBUTE_NAMES[oid] ?? oid}=${text}`);
    }
  }
  return parts.join(', ');
}
