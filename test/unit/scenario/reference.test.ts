import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenarioReference } from '../../../engine/scenario/reference.js';
import { scenarioJsonSchema } from '../../../engine/scenario/schema.js';

/**
 * One source for the field docs: the zod schema's descriptions become the JSON Schema editors show
 * (`kubesim schema`) and the reference table of scenarios/README.md. Every field has a description,
 * and the README's table is the generated one (UPDATE_DOCS=1, or `npm run schema`, rewrites it).
 */

const README = path.resolve(import.meta.dirname, '../../../scenarios/README.md');
const BEGIN = '<!-- BEGIN scenario-reference: generated from engine/scenario/schema.ts by `npm run schema`; do not edit -->';
const END = '<!-- END scenario-reference -->';

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The paths of every property anywhere in the schema that has no description. */
function undescribed(n: unknown, at: string, out: string[] = []): string[] {
  if (!isNode(n)) return out;
  const props = n['properties'];
  // a mapping's fields (zod writes type: object); constraint fragments (anyOf: [{required, properties}]) have no type
  if (isNode(props) && n['type'] === 'object') {
    for (const [k, v] of Object.entries(props)) {
      if (!isNode(v) || typeof v['description'] !== 'string' || v['description'].trim() === '') out.push(`${at}.${k}`);
      undescribed(v, `${at}.${k}`, out);
    }
  }
  for (const k of ['items', 'additionalProperties']) undescribed(n[k], `${at}${k === 'items' ? '[]' : '.*'}`, out);
  for (const k of ['anyOf', 'oneOf', 'allOf']) if (Array.isArray(n[k])) (n[k] as unknown[]).forEach((a, i) => undescribed(a, `${at}|${i}`, out));
  return out;
}

describe('the Scenario schema describes itself', () => {
  it('every field at every depth has a description', () => {
    const schema = scenarioJsonSchema();
    expect(undescribed(schema, 'Scenario')).toEqual([]);
    const { $defs } = schema as { $defs: Record<string, Node> };
    for (const [name, def] of Object.entries($defs)) expect(def['description'], name).toEqual(expect.any(String));
  });

  it('is closed everywhere: every mapping with fields has additionalProperties false', () => {
    const open: string[] = [];
    const walk = (n: unknown, at: string): void => {
      if (!isNode(n)) return;
      if (isNode(n['properties']) && n['type'] === 'object' && n['additionalProperties'] !== false && !at.endsWith('matrix')) open.push(at);
      for (const [k, v] of Object.entries(n)) {
        if (k === 'properties' && isNode(v)) for (const [p, c] of Object.entries(v)) walk(c, `${at}.${p}`);
        else if (Array.isArray(v)) v.forEach((c, i) => walk(c, `${at}|${i}`));
        else if (isNode(v) && k !== 'properties') walk(v, `${at}/${k}`);
      }
    };
    walk(scenarioJsonSchema(), 'Scenario');
    // a matrix's keys are parameters (field paths of its target), checked by the loader
    expect(open).toEqual([]);
  });
});

describe('scenarios/README.md', () => {
  it('holds the generated field reference', () => {
    const text = readFileSync(README, 'utf8');
    const start = text.indexOf(BEGIN);
    const end = text.indexOf(END);
    expect(start, `scenarios/README.md has no ${BEGIN}`).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(start);
    const generated = `${BEGIN}\n\n${scenarioReference()}\n${END}`;
    if (process.env['UPDATE_DOCS'] === '1') writeFileSync(README, text.slice(0, start) + generated + text.slice(end + END.length));
    else expect(text.slice(start, end + END.length), 'run npm run schema to regenerate it').toBe(generated);
  });
});
