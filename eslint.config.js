// Lint configuration: typescript-eslint recommended rules over all workspace sources, plus the
// type-aware rules that catch real bugs (promises nobody awaits, async callbacks where a void one
// is expected, switches that miss a case, throwing non-errors).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** node:test's test/describe/hooks return promises the runner itself tracks. */
const NODE_TEST_CALLS = [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }];

/** The one-way flow of the workspace (README, Architecture): which @cocoon packages each package may import. */
const LAYERS = {
  protocol: [],
  attestation: ['protocol'],
  ton: ['protocol'],
  client: ['protocol', 'attestation', 'ton'],
  proxy: ['protocol', 'attestation', 'ton'],
  worker: ['protocol', 'attestation', 'ton'],
  'key-manager': ['protocol', 'attestation', 'ton'],
  sdk: ['protocol', 'attestation'],
  'light-client': ['protocol', 'attestation', 'sdk'],
  'test-support': ['protocol', 'attestation'],
  cli: ['protocol', 'attestation', 'ton', 'client', 'proxy', 'worker', 'key-manager', 'sdk', 'light-client'],
};
const ALL_PACKAGES = Object.keys(LAYERS);
/** One `no-restricted-imports` per package and folder kind (flat config replaces, not merges, a rule's options). */
const layerRule = (name, forTests) => {
  const allowed = new Set([name, ...LAYERS[name], ...(forTests ? ['test-support'] : [])]);
  return ['error', {
    paths: ALL_PACKAGES.filter((other) => !allowed.has(other)).map((other) => ({
      name: `@cocoon/${other}`,
      message: `packages/${name} must not import @cocoon/${other}: dependencies flow protocol ← attestation, ton ← runners ← cli${forTests ? '' : ', and product code never imports test support'}`,
    })),
    patterns: [{ regex: `^(\\.\\./)+(${ALL_PACKAGES.join('|')})/`, message: 'import another package by its name, not by a relative path into its folders' }],
  }];
};
const LAYER_RULES = ALL_PACKAGES.flatMap((name) => [
  { files: [`packages/${name}/src/**/*.ts`], rules: { 'no-restricted-imports': layerRule(name, false) } },
  { files: [`packages/${name}/{test,bench,scripts}/**/*.ts`], rules: { 'no-restricted-imports': layerRule(name, true) } },
]);

export default tseslint.config(
  { ignores: ['**/node_modules/**', '.cocoon/**', '**/*.tmp.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', Buffer: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', URL: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', TextDecoder: 'readonly', TextEncoder: 'readonly', performance: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: NODE_TEST_CALLS }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/only-throw-error': 'error',
    },
  },
  ...LAYER_RULES,
  {
    // The proto-3 encryption runs in browsers too (the SDK): Uint8Array and WebCrypto only, no Node built-ins.
    files: ['packages/protocol/src/encryption/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error', ...['ImportDeclaration', 'ExportAllDeclaration', 'ExportNamedDeclaration', 'ImportExpression'].map((node) => ({
        selector: `${node}[source.value=/^(node:|buffer$|crypto$|fs$|path$|os$|util$|stream$|zlib$)/]`,
        message: 'packages/protocol/src/encryption is browser-safe: no Node built-ins (use Uint8Array, @noble/*, WebCrypto)',
      }))],
      'no-restricted-globals': ['error', { name: 'Buffer', message: 'browser-safe code: use Uint8Array' }, { name: 'process', message: 'browser-safe code: no process' }],
    },
  },
  {
    // The end-to-end encryption (§22) runs in browsers too (the SDK): no Node built-ins. e2e-tl.ts is the one
    // file that hands bytes to the TL codec, which works on Buffers (a browser bundle polyfills `buffer`).
    files: ['packages/protocol/src/e2e/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error', ...['ImportDeclaration', 'ExportAllDeclaration', 'ExportNamedDeclaration', 'ImportExpression'].map((node) => ({
        selector: `${node}[source.value=/^(node:|buffer$|crypto$|fs$|path$|os$|util$|stream$|zlib$)/]`,
        message: 'packages/protocol/src/e2e is browser-safe: no Node built-ins (use Uint8Array, @noble/*, WebCrypto)',
      }))],
      'no-restricted-globals': ['error', { name: 'Buffer', message: 'browser-safe code: use Uint8Array' }, { name: 'process', message: 'browser-safe code: no process' }],
    },
  },
  { files: ['packages/protocol/src/e2e/e2e-tl.ts'], rules: { 'no-restricted-globals': ['error', { name: 'process', message: 'browser-safe code: no process' }] } },
  {
    // The app SDK (cocoonFetch) runs in browsers: no Node built-ins, no Buffer, no process.
    files: ['packages/sdk/src/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error', ...['ImportDeclaration', 'ExportAllDeclaration', 'ExportNamedDeclaration', 'ImportExpression'].map((node) => ({
        selector: `${node}[source.value=/^(node:|buffer$|crypto$|fs$|path$|os$|util$|stream$|zlib$)/]`,
        message: 'packages/sdk is browser-safe: no Node built-ins (use Uint8Array, fetch, WebCrypto)',
      }))],
      'no-restricted-globals': ['error', { name: 'Buffer', message: 'browser-safe code: use Uint8Array' }, { name: 'process', message: 'browser-safe code: no process' }],
    },
  },
  {
    // The light-client page (and the config validator it shares with the builder) runs in browsers: browser globals,
    // no Node built-ins, no Buffer or process, only the browser entries of protocol and attestation, and no console
    // output at all (prompts and answers must never reach a log).
    files: ['packages/light-client/page/**/*.ts', 'packages/light-client/src/light-client-config.ts'],
    languageOptions: {
      globals: Object.fromEntries([
        'window', 'document', 'location', 'navigator', 'history', 'fetch', 'Request', 'Response', 'Headers', 'URL', 'URLSearchParams',
        'AbortController', 'AbortSignal', 'TextEncoder', 'TextDecoder', 'crypto', 'ReadableStream', 'Blob', 'File', 'FormData', 'atob', 'btoa',
        'Event', 'CustomEvent', 'KeyboardEvent', 'Node', 'Text', 'Option', 'HTMLElement', 'HTMLButtonElement', 'HTMLFormElement',
        'HTMLTextAreaElement', 'HTMLSelectElement', 'HTMLParagraphElement', 'HTMLDListElement', 'HTMLScriptElement', 'getComputedStyle',
        'requestAnimationFrame', 'matchMedia', 'setTimeout', 'clearTimeout', 'queueMicrotask', 'structuredClone', 'performance',
      ].map((name) => [name, 'readonly'])),
    },
    rules: {
      'no-restricted-syntax': ['error', ...['ImportDeclaration', 'ExportAllDeclaration', 'ExportNamedDeclaration', 'ImportExpression'].map((node) => ({
        selector: `${node}[source.value=/^(node:|buffer$|crypto$|fs$|path$|os$|util$|stream$|zlib$)/]`,
        message: 'the light-client page is browser-safe: no Node built-ins (use the DOM, fetch, WebCrypto)',
      }))],
      'no-restricted-globals': ['error', { name: 'Buffer', message: 'browser-safe code: use Uint8Array' }, { name: 'process', message: 'browser-safe code: no process' }],
      'no-restricted-imports': ['error', {
        paths: [
          ...ALL_PACKAGES.filter((other) => !['light-client', ...LAYERS['light-client']].includes(other)).map((other) => ({
            name: `@cocoon/${other}`, message: `the light-client page must not import @cocoon/${other}`,
          })),
          { name: '@cocoon/protocol', message: 'browser code imports @cocoon/protocol/browser (the main index reaches Node built-ins)' },
          { name: '@cocoon/attestation', message: 'browser code imports @cocoon/attestation/browser (the main index reaches Node built-ins)' },
          { name: '@cocoon/sdk/build', message: 'the browser bundler is Node only' },
        ],
        patterns: [{ regex: `^(\\.\\./)+(${ALL_PACKAGES.join('|')})/`, message: 'import another package by its name, not by a relative path into its folders' }],
      }],
      'no-console': 'error',
    },
  },
);
