import type { LabelSelector } from './objects.js';

/**
 * Label selectors as kubectl writes them (`kubectl get pods -l 'app=web,tier!=db'`): the string syntax
 * of k8s.io/apimachinery/pkg/labels `Parse`, turned into the API's LabelSelector so one matcher
 * (objects.ts `matchesSelector`) serves both.
 *
 *   selector    := requirement ("," requirement)*
 *   requirement := "!" key                        DoesNotExist
 *                | key                            Exists
 *                | key ("=" | "==") value         In [value]     (the key must be there)
 *                | key "!=" value                 NotIn [value]  (also matches pods without the key)
 *                | key ("in" | "notin") "(" value ("," value)* ")"   values may be empty
 *
 * Whitespace around tokens is ignored; `in` and `notin` are operators only after a key (`notin=in` is
 * key notin, value in). The numeric `>` and `<` of labels.Parse have no LabelSelector form and are
 * refused, and so is the empty selector (kubectl's `-l ''` selects everything; say which pods).
 */

export class SelectorSyntaxError extends Error {
  override name = 'SelectorSyntaxError';
  /** 1-based column in the selector text. */
  readonly column: number;
  constructor(message: string, column: number) {
    super(message);
    this.column = column;
  }
}

type Token = { kind: 'id' | '!' | '=' | '==' | '!=' | ',' | '(' | ')' | '<' | '>' | 'end'; text: string; at: number };

const SPECIAL = /[!=,()<>\s]/;

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '==' || two === '!=') {
      out.push({ kind: two, text: two, at: i + 1 });
      i += 2;
    } else if (SPECIAL.test(c)) {
      out.push({ kind: c as Token['kind'], text: c, at: i + 1 });
      i++;
    } else {
      let j = i;
      while (j < text.length && !SPECIAL.test(text[j]!)) j++;
      out.push({ kind: 'id', text: text.slice(i, j), at: i + 1 });
      i = j;
    }
  }
  out.push({ kind: 'end', text: '', at: text.length + 1 });
  return out;
}

// k8s.io/apimachinery/pkg/util/validation: IsQualifiedName (keys) and IsValidLabelValue (values).
const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function validKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  if (prefix !== undefined && !(prefix.length <= 253 && DNS1123_SUBDOMAIN.test(prefix))) return false;
  return name.length <= 63 && NAME_PART.test(name);
}

/** The LabelSelector a kubectl `-l` string means; throws SelectorSyntaxError with the column. */
export function parseLabelSelector(text: string): LabelSelector {
  const tokens = tokenize(text);
  let p = 0;
  const peek = () => tokens[p]!;
  const next = () => tokens[p++]!;
  const fail = (t: Token, what: string): never => {
    const got = t.kind === 'end' ? 'the end' : JSON.stringify(t.text);
    throw new SelectorSyntaxError(`expected ${what}, got ${got}`, t.at);
  };
  const key = (): string => {
    const t = next();
    if (t.kind !== 'id') fail(t, 'a label key');
    if (!validKey(t.text)) throw new SelectorSyntaxError(`${JSON.stringify(t.text)} is not a label key (an optional DNS prefix and "/", then at most 63 letters, digits, "-", "_" or ".")`, t.at);
    return t.text;
  };
  const value = (t: Token): string => {
    if (!LABEL_VALUE.test(t.text) || t.text.length > 63) throw new SelectorSyntaxError(`${JSON.stringify(t.text)} is not a label value (at most 63 letters, digits, "-", "_" or ".")`, t.at);
    return t.text;
  };
  /** A value after =, == or != (empty when the next token ends the requirement). */
  const single = (): string => {
    const t = peek();
    if (t.kind === ',' || t.kind === 'end') return '';
    if (t.kind !== 'id') fail(t, 'a label value');
    return value(next());
  };
  const set = (): string[] => {
    const open = next();
    if (open.kind !== '(') fail(open, '"(" and a list of values');
    const values: string[] = [];
    for (;;) {
      const t = peek();
      if (t.kind === 'id') values.push(value(next()));
      else values.push('');
      const sep = next();
      if (sep.kind === ')') break;
      if (sep.kind !== ',') fail(sep, '"," or ")"');
    }
    return [...new Set(values)].sort();
  };

  if (peek().kind === 'end') throw new SelectorSyntaxError('expected a label selector like app=web, got an empty one', 1);
  const expressions: NonNullable<LabelSelector['matchExpressions']> = [];
  for (;;) {
    if (peek().kind === '!') {
      next();
      expressions.push({ key: key(), operator: 'DoesNotExist' });
    } else {
      const k = key();
      const op = peek();
      if (op.kind === '=' || op.kind === '==') {
        next();
        expressions.push({ key: k, operator: 'In', values: [single()] });
      } else if (op.kind === '!=') {
        next();
        expressions.push({ key: k, operator: 'NotIn', values: [single()] });
      } else if (op.kind === 'id' && (op.text === 'in' || op.text === 'notin')) {
        next();
        expressions.push({ key: k, operator: op.text === 'in' ? 'In' : 'NotIn', values: set() });
      } else if (op.kind === '<' || op.kind === '>') {
        throw new SelectorSyntaxError(`the numeric ${op.text} operator has no label-selector form; use in (…) or notin (…)`, op.at);
      } else if (op.kind === ',' || op.kind === 'end') {
        expressions.push({ key: k, operator: 'Exists' });
      } else {
        fail(op, 'an operator (=, ==, !=, in, notin), "," or the end');
      }
    }
    const t = next();
    if (t.kind === 'end') break;
    if (t.kind !== ',') fail(t, '"," or the end');
    if (peek().kind === 'end' || peek().kind === ',') fail(peek(), 'a requirement after ","');
  }
  return { matchExpressions: expressions };
}
