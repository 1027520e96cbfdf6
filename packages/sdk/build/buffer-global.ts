/**
 * The one Node-ism a COCOON browser bundle provides: the global `Buffer` (used by the TL codec and
 * @phala/dcap-qvl), from the npm `buffer` package. bundleForBrowser (browser-bundle.ts) injects this
 * file with esbuild's `inject`, which rewrites every free `Buffer` in the bundle to this export.
 */
export { Buffer } from 'buffer';
