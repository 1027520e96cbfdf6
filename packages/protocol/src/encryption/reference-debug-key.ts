/**
 * The reference's static test encryption key (its spec/fake-ton config ships the private half, so anyone can
 * read what is encrypted to it): `+2fQ/NM48g4NSVfZ6CrcEB0uNROkSKOrRgUu4biMWBg=` in base64. One constant for
 * every place that must refuse it off a test network (the root's key check, the client, the key manager).
 */
export const REFERENCE_DEBUG_PUBLIC_KEY_HEX = 'fb67d0fcd338f20e0d4957d9e82adc101d2e3513a448a3ab46052ee1b88c5818';
