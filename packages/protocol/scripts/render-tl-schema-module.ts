/**
 * Renders the text of src/tl/generated/cocoon-api-schema.ts: schema/cocoon-api.tl as a string
 * constant, so the codec has its schema without reading a file (no node:fs: the codec runs in
 * browser bundles too). Pure and deterministic, so a test can compare it with the committed
 * file. Run through generate-tl-types.ts (npm run generate:tl).
 */

const HEADER = `/**
 * GENERATED FILE, DO NOT EDIT: the text of packages/protocol/schema/cocoon-api.tl (the single source of truth of the
 * wire schema), as a module so that the TL codec loads it without a file read, in Node and in browser bundles alike.
 * Written by packages/protocol/scripts/generate-tl-types.ts: after changing the schema run \`npm run generate:tl\`
 * (test/tl/generated-types.test.ts fails while this file is stale).
 */
`;

/** The schema text as the body of a template literal (backslashes, backticks and `${` escaped). */
function templateLiteralBody(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
}

/** The module text holding `schemaText` as `COCOON_SCHEMA_TEXT`. */
export function renderTlSchemaModule(schemaText: string): string {
  return `${HEADER}\n/** The COCOON TL schema text, byte for byte the content of schema/cocoon-api.tl. */\n`
    + `export const COCOON_SCHEMA_TEXT: string = \`${templateLiteralBody(schemaText)}\`;\n`;
}
