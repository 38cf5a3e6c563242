import { readFileSync } from 'node:fs';
import { validateXML } from 'xmllint-wasm';

/** test/fixtures/junit/junit.xsd: the JUnit structure CI viewers read (see the comment in it). */
export const JUNIT_XSD = 'test/fixtures/junit/junit.xsd';

/**
 * Validates a junit.xml text against our JUnit schema with libxml2 (xmllint compiled to
 * WebAssembly: no network, no native tool). Resolves to the validity errors (empty when valid).
 */
export async function validateJunit(xml: string): Promise<string[]> {
  const result = await validateXML({ xml: [{ fileName: 'junit.xml', contents: xml }], schema: [readFileSync(JUNIT_XSD, 'utf8')] });
  return result.valid ? [] : result.errors.map((e) => e.rawMessage);
}
