import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, type Node } from 'yaml';
import type { Diagnostic } from './diagnostics.js';
import { InputFileError, readInputFile, type FileOptions } from './files.js';

/**
 * Reading YAML with positions. Every document keeps a map from field paths to the source position of
 * the node at that path, so a validation issue's path (from zod) maps back to `line:col`; a path that
 * does not exist (a missing field) falls back to its nearest existing parent.
 *
 * YAML 1.1 is used, like Kubernetes' own decoder (go-yaml v2 via sigs.k8s.io/yaml): merge keys
 * (`<<`) work and `yes`/`no`/`on`/`off` are booleans. Null map values are dropped, as the API server
 * treats `replicas:` (null) like an absent field.
 */

export type PathSegment = string | number;

export interface Position {
  line: number;
  col: number;
}

export interface YamlDocument {
  file: string;
  /** 0-based index of the document in its file. */
  index: number;
  /** The document as plain data (null map values removed); undefined for an empty document. */
  value: unknown;
  /** Where the document starts (its first content node, or the `---`). */
  start: Position;
  /** Field path (formatPath) → position of the value node at that path. */
  positions: Map<string, Position>;
  /** Field path → position of the key naming that field (for fields whose value is empty). */
  keys: Map<string, Position>;
}

export interface YamlFile {
  file: string;
  documents: YamlDocument[];
  /** Syntax errors (severity error) and parser warnings (severity note). */
  diagnostics: Diagnostic[];
}

const SIMPLE_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `spec.template.spec.containers[0].image`; keys that are not identifiers are quoted: `images["nginx:1.25"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (SIMPLE_KEY.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** Position of the value at `path`, or of its nearest existing parent (the document start at worst). */
export function positionOf(doc: YamlDocument, path: readonly PathSegment[]): Position {
  for (let n = path.length; n >= 0; n--) {
    const key = formatPath(path.slice(0, n));
    const pos = doc.positions.get(key) ?? doc.keys.get(key);
    if (pos !== undefined) return pos;
  }
  return doc.start;
}

/** A diagnostic at `path` in a document. */
export function diagnosticAt(
  doc: YamlDocument,
  path: readonly PathSegment[],
  message: string,
  severity: Diagnostic['severity'] = 'error',
): Diagnostic {
  const { line, col } = positionOf(doc, path);
  return { file: doc.file, line, col, path: formatPath(path), message, severity };
}

/** A diagnostic at the key naming the last field of `path` (an unknown field is where its key is written). */
export function keyDiagnosticAt(
  doc: YamlDocument,
  path: readonly PathSegment[],
  message: string,
  severity: Diagnostic['severity'] = 'error',
  code?: string,
): Diagnostic {
  const pos = doc.keys.get(formatPath(path)) ?? positionOf(doc, path);
  const d: Diagnostic = { file: doc.file, line: pos.line, col: pos.col, path: formatPath(path), message, severity };
  if (code !== undefined) d.code = code;
  return d;
}

/** Reads and parses a file; an unreadable file gives one diagnostic without a position. */
export function readYamlFile(file: string, options: FileOptions = {}): YamlFile {
  let text: string;
  try {
    text = readInputFile(file, options);
  } catch (e) {
    if (!(e instanceof InputFileError)) throw e;
    return { file, documents: [], diagnostics: [{ file, line: 0, col: 0, path: '', message: e.message, severity: 'error' }] };
  }
  return parseYaml(file, text);
}

/** Parses every document of a YAML text. Documents with syntax errors are reported and left out. */
export function parseYaml(file: string, text: string): YamlFile {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, version: '1.1', merge: true, prettyErrors: false, keepSourceTokens: false });
  const at = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  };
  const diagnostics: Diagnostic[] = [];
  const documents: YamlDocument[] = [];
  if ('empty' in docs) {
    // An EmptyStream (nothing but comments/whitespace) may still carry errors.
    for (const err of docs.errors) diagnostics.push(yamlDiagnostic(file, at(err.pos[0]), err.message, 'error'));
    return { file, documents, diagnostics };
  }
  docs.forEach((doc, index) => {
    for (const err of doc.errors) diagnostics.push(yamlDiagnostic(file, at(err.pos[0]), err.message, 'error'));
    for (const warn of doc.warnings) diagnostics.push(yamlDiagnostic(file, at(warn.pos[0]), warn.message, 'note'));
    if (doc.errors.length > 0) return;
    const positions = new Map<string, Position>();
    const keys = new Map<string, Position>();
    const contents = doc.contents;
    const start = contents?.range ? at(contents.range[0]) : at(doc.range[0]);
    const forbidden: Diagnostic[] = [];
    if (contents !== null) walk(contents, [], positions, keys, at, (path, pos) => forbidden.push({ file, line: pos.line, col: pos.col, path: formatPath(path), message: 'the key "__proto__" is not allowed (it would set the prototype of the mapping; no Kubernetes or scenario field has this name)', severity: 'error' }));
    if (forbidden.length > 0) {
      // The document is left out: its data could not be built as written.
      diagnostics.push(...forbidden);
      return;
    }
    let value: unknown;
    try {
      value = stripNulls(doc.toJS({ maxAliasCount: 1000 }));
    } catch (e) {
      diagnostics.push(yamlDiagnostic(file, start, e instanceof Error ? e.message : String(e), 'error'));
      return;
    }
    documents.push({ file, index, value: value ?? undefined, start, positions, keys });
  });
  return { file, documents, diagnostics };
}

function yamlDiagnostic(file: string, pos: Position, message: string, severity: Diagnostic['severity']): Diagnostic {
  // eemeli/yaml messages are single sentences; keep only the first line, never a code frame.
  const first = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return { file, line: pos.line, col: pos.col, path: '', message: `YAML syntax error: ${first}`, severity };
}

function walk(
  node: unknown,
  path: PathSegment[],
  positions: Map<string, Position>,
  keys: Map<string, Position>,
  at: (offset: number) => Position,
  onForbidden: (path: PathSegment[], pos: Position) => void,
): void {
  if (node === null || typeof node !== 'object') return;
  const n = node as Node;
  const key = formatPath(path);
  if (n.range && !(isScalar(n) && n.value === null && n.range[0] === n.range[1])) positions.set(key, at(n.range[0]));
  if (isMap(n)) {
    for (const item of n.items) {
      if (!isPair(item)) continue;
      const k = item.key;
      const name = isScalar(k) ? String(k.value) : k === null ? '' : String(k);
      const childPath = [...path, name];
      if (isScalar(k) && k.range) keys.set(formatPath(childPath), at(k.range[0]));
      if (name === '__proto__') {
        onForbidden(childPath, isScalar(k) && k.range ? at(k.range[0]) : (positions.get(key) ?? { line: 1, col: 1 }));
        continue;
      }
      walk(item.value, childPath, positions, keys, at, onForbidden);
    }
  } else if (isSeq(n)) {
    n.items.forEach((item, i) => walk(item, [...path, i], positions, keys, at, onForbidden));
  } else if (isAlias(n)) {
    // The aliased content has its positions at the anchor; errors inside point at the alias.
  }
}

/** Removes null values from mappings (recursively); nulls in lists stay (they are errors later). */
export function stripNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripNulls);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === null || v === undefined) continue;
      // An own "__proto__" key (eemeli/yaml defines it as data) must stay data, never a prototype.
      if (k === '__proto__') Object.defineProperty(out, k, { value: stripNulls(v), enumerable: true, writable: true, configurable: true });
      else out[k] = stripNulls(v);
    }
    return out;
  }
  return value;
}

/** A plain mapping (not null, not a list). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The value at a path inside plain data, or undefined where the path leaves it. */
export function valueAt(value: unknown, at: readonly PathSegment[]): unknown {
  let v = value;
  for (const seg of at) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, seg)) return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}
