import { scenarioJsonSchema } from './schema.js';

/**
 * The field reference of the Scenario kind as Markdown, generated from the JSON Schema that
 * `kubesim schema` publishes (itself from the zod schema's descriptions): one table per mapping, a
 * row per field with its default and description. scenarios/README.md holds this text between its
 * `scenario-reference` markers; a test keeps the two equal (`npm run schema` rewrites it).
 */

type Node = Record<string, unknown>;

const UNIT_NAMES: Record<string, string> = {
  duration: 'duration',
  positiveDuration: 'duration > 0',
  rate: 'rate',
  fraction: 'fraction or %',
  quantity: 'quantity',
  distribution: 'distribution',
};

function isNode(v: unknown): v is Node {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The unit a field refers to (`{anyOf: [{$ref: '#/$defs/duration'}]}`), if it is one. */
function unitOf(n: Node): string | undefined {
  const alts = n['anyOf'];
  const ref = Array.isArray(alts) && alts.length === 1 && isNode(alts[0]) ? alts[0]['$ref'] : n['$ref'];
  return typeof ref === 'string' && ref.startsWith('#/$defs/') ? UNIT_NAMES[ref.slice('#/$defs/'.length)] : undefined;
}

/** A short name of what a field takes. */
function typeOf(n: Node): string {
  const unit = unitOf(n);
  if (unit !== undefined) return unit;
  if (n['const'] !== undefined) return `\`${String(n['const'])}\``;
  if (Array.isArray(n['enum'])) return (n['enum'] as unknown[]).map((e) => `\`${String(e)}\``).join(' | ');
  const t = n['type'];
  if (t === 'array') return isNode(n['items']) ? `list of ${typeOf(n['items'])}` : 'list';
  if (t === 'object') return 'mapping';
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return t.join(' or ');
  const alts = (n['anyOf'] ?? n['oneOf']) as unknown[] | undefined;
  if (Array.isArray(alts)) return [...new Set(alts.filter(isNode).map(typeOf))].join(' or ');
  return 'any';
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function defaultOf(n: Node): string {
  if (!Object.hasOwn(n, 'default')) return '';
  const d = n['default'];
  if (typeof d === 'string') return `\`${d}\``;
  if (Array.isArray(d) && d.length === 0) return '`[]`';
  if (isNode(d) && Object.keys(d).length === 0) return '`{}`';
  return `\`${JSON.stringify(d)}\``;
}

/** The alternatives of a union that are mappings with fields. */
function mappings(n: Node): Node[] {
  if (isNode(n['properties'])) return [n]; // a oneOf/anyOf beside properties only constrains them
  const alts = (n['oneOf'] ?? n['anyOf']) as unknown[] | undefined;
  return Array.isArray(alts) ? alts.filter(isNode).flatMap(mappings) : [];
}

/** The discriminating constant of a union member (`action: scale`), if it has one. */
function discriminator(n: Node): string | undefined {
  const props = n['properties'] as Record<string, Node>;
  for (const [k, v] of Object.entries(props)) if (isNode(v) && typeof v['const'] === 'string' && k !== 'kind' && k !== 'apiVersion') return `${k}: ${v['const']}`;
  return undefined;
}

function section(out: string[], node: Node, path: string): void {
  const props = node['properties'] as Record<string, Node>;
  const required = new Set((node['required'] as string[] | undefined) ?? []);
  const what = typeof node['description'] === 'string' ? `${node['description']}\n\n` : '';
  out.push(`#### \`${path}\`\n\n${what}| field | takes | default | description |\n|---|---|---|---|`);
  for (const [key, child] of Object.entries(props)) {
    if (!isNode(child)) continue;
    const desc = typeof child['description'] === 'string' ? child['description'] : '';
    out.push(`| \`${key}\`${required.has(key) ? ' (required)' : ''} | ${cell(typeOf(child))} | ${cell(defaultOf(child))} | ${cell(desc)} |`);
  }
  out.push('');
  for (const [key, child] of Object.entries(props)) if (isNode(child)) walk(out, child, `${path}.${key}`);
}

function walk(out: string[], node: Node, path: string): void {
  if (unitOf(node) !== undefined) return;
  if (node['type'] === 'array' && isNode(node['items'])) return walk(out, node['items'], `${path}[]`);
  if (isNode(node['properties'])) {
    section(out, node, path);
    return;
  }
  const ap = node['additionalProperties'];
  if (node['type'] === 'object' && isNode(ap) && isNode(ap['properties'])) return walk(out, ap, `${path}.<name>`);
  const alts = mappings(node);
  for (const alt of alts) {
    const d = discriminator(alt);
    section(out, alt, d !== undefined && alts.length > 1 ? `${path} (${d})` : path);
  }
}

/** The Markdown reference of every field of the Scenario kind. */
export function scenarioReference(): string {
  const out: string[] = [];
  walk(out, scenarioJsonSchema(), 'Scenario');
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}
