/**
 * A small, safe evaluator for Argo Rollouts' successCondition / failureCondition (Argo uses expr-lang;
 * this is the subset conditions are written in). No eval, no Function: a tokenizer, a recursive-descent
 * parser to an AST, and an interpreter over plain values.
 *
 * Grammar (lowest precedence first):
 *   expr    := or ('?' expr ':' expr)?
 *   or      := and (('||' | 'or') and)*
 *   and     := not (('&&' | 'and') not)*
 *   cmp     := sum (('==' | '!=' | '<' | '<=' | '>' | '>=') sum)?
 *   sum     := prod (('+' | '-') prod)*
 *   prod    := unary (('*' | '/' | '%') unary)*
 *   unary   := ('!' | 'not' | '-') unary | postfix
 *   postfix := primary ('[' expr ']')*
 *   primary := number | string | true | false | nil | NaN | ident | ident '(' args ')' | '(' expr ')'
 * Identifiers: `result` (the measurement) and any variable given. Functions: len, abs, min, max,
 * isNaN, isInf, float, int, default. A scalar indexed with [0] is itself (Prometheus' `result[0]` on a
 * one-element vector).
 */

export class ExprError extends Error {
  override readonly name = 'ExprError';
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message);
  }
}

type Value = number | string | boolean | null | Value[];
type Node =
  | { t: 'lit'; v: Value }
  | { t: 'var'; name: string; col: number }
  | { t: 'call'; name: string; args: Node[]; col: number }
  | { t: 'index'; of: Node; at: Node }
  | { t: 'un'; op: string; a: Node }
  | { t: 'bin'; op: string; a: Node; b: Node }
  | { t: 'if'; c: Node; a: Node; b: Node };

interface Tok {
  k: 'num' | 'str' | 'id' | 'op' | 'end';
  v: string;
  col: number;
}

const OPS = ['||', '&&', '==', '!=', '<=', '>=', '<', '>', '+', '-', '*', '/', '%', '!', '(', ')', '[', ']', ',', '?', ':'];

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const col = i + 1;
    const num = /^(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?)/.exec(src.slice(i));
    if (num !== null) {
      out.push({ k: 'num', v: num[0], col });
      i += num[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\' && j + 1 < src.length) j++;
        s += src[j];
        j++;
      }
      if (j >= src.length) throw new ExprError('unterminated string', col);
      out.push({ k: 'str', v: s, col });
      i = j + 1;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id !== null) {
      out.push({ k: 'id', v: id[0], col });
      i += id[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op === undefined) throw new ExprError(`unexpected character ${JSON.stringify(c)}`, col);
    out.push({ k: 'op', v: op, col });
    i += op.length;
  }
  out.push({ k: 'end', v: '', col: src.length + 1 });
  return out;
}

/** Parses a condition; throws ExprError with the column of the problem. */
export function parseExpr(src: string): Node {
  const toks = tokenize(src);
  let p = 0;
  const peek = () => toks[p]!;
  const isOp = (v: string) => peek().k === 'op' && peek().v === v;
  const isWord = (v: string) => peek().k === 'id' && peek().v === v;
  const expect = (v: string) => {
    if (!isOp(v)) throw new ExprError(`expected ${JSON.stringify(v)}`, peek().col);
    p++;
  };
  const expr = (): Node => {
    const c = or();
    if (!isOp('?')) return c;
    p++;
    const a = expr();
    expect(':');
    return { t: 'if', c, a, b: expr() };
  };
  const or = (): Node => {
    let a = and();
    while (isOp('||') || isWord('or')) {
      p++;
      a = { t: 'bin', op: '||', a, b: and() };
    }
    return a;
  };
  const and = (): Node => {
    let a = cmp();
    while (isOp('&&') || isWord('and')) {
      p++;
      a = { t: 'bin', op: '&&', a, b: cmp() };
    }
    return a;
  };
  const cmp = (): Node => {
    const a = sum();
    const t = peek();
    if (t.k === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.v)) {
      p++;
      return { t: 'bin', op: t.v, a, b: sum() };
    }
    return a;
  };
  const sum = (): Node => {
    let a = prod();
    while (isOp('+') || isOp('-')) {
      const op = toks[p++]!.v;
      a = { t: 'bin', op, a, b: prod() };
    }
    return a;
  };
  const prod = (): Node => {
    let a = unary();
    while (isOp('*') || isOp('/') || isOp('%')) {
      const op = toks[p++]!.v;
      a = { t: 'bin', op, a, b: unary() };
    }
    return a;
  };
  const unary = (): Node => {
    if (isOp('!') || isWord('not')) {
      p++;
      return { t: 'un', op: '!', a: unary() };
    }
    if (isOp('-')) {
      p++;
      return { t: 'un', op: '-', a: unary() };
    }
    return postfix();
  };
  const postfix = (): Node => {
    let a = primary();
    while (isOp('[')) {
      p++;
      const at = expr();
      expect(']');
      a = { t: 'index', of: a, at };
    }
    return a;
  };
  const primary = (): Node => {
    const t = peek();
    if (t.k === 'num') {
      p++;
      return { t: 'lit', v: Number(t.v) };
    }
    if (t.k === 'str') {
      p++;
      return { t: 'lit', v: t.v };
    }
    if (t.k === 'id') {
      p++;
      if (t.v === 'true' || t.v === 'false') return { t: 'lit', v: t.v === 'true' };
      if (t.v === 'nil') return { t: 'lit', v: null };
      if (t.v === 'NaN') return { t: 'lit', v: NaN };
      if (isOp('(')) {
        p++;
        const args: Node[] = [];
        if (!isOp(')')) {
          args.push(expr());
          while (isOp(',')) {
            p++;
            args.push(expr());
          }
        }
        expect(')');
        if (!(t.v in FUNCTIONS)) throw new ExprError(`unknown function ${t.v}; known: ${Object.keys(FUNCTIONS).join(', ')}`, t.col);
        return { t: 'call', name: t.v, args, col: t.col };
      }
      return { t: 'var', name: t.v, col: t.col };
    }
    if (isOp('(')) {
      p++;
      const e = expr();
      expect(')');
      return e;
    }
    throw new ExprError(t.k === 'end' ? 'unexpected end of condition' : `unexpected ${JSON.stringify(t.v)}`, t.col);
  };
  const node = expr();
  if (peek().k !== 'end') throw new ExprError(`unexpected ${JSON.stringify(peek().v)}`, peek().col);
  return node;
}

const num = (v: Value, what: string): number => {
  if (typeof v === 'number') return v;
  if (Array.isArray(v) && v.length === 1) return num(v[0]!, what);
  throw new ExprError(`${what}: expected a number, got ${JSON.stringify(v)}`, 0);
};

const FUNCTIONS: Record<string, (args: Value[]) => Value> = {
  len: ([v]) => (Array.isArray(v) ? v.length : typeof v === 'string' ? v.length : v === null || v === undefined ? 0 : 1),
  abs: ([v]) => Math.abs(num(v!, 'abs')),
  min: (args) => Math.min(...args.map((a) => num(a, 'min'))),
  max: (args) => Math.max(...args.map((a) => num(a, 'max'))),
  isNaN: ([v]) => typeof v === 'number' && Number.isNaN(v),
  isInf: ([v]) => typeof v === 'number' && !Number.isFinite(v) && !Number.isNaN(v),
  float: ([v]) => (typeof v === 'string' ? Number(v) : num(v!, 'float')),
  int: ([v]) => Math.trunc(typeof v === 'string' ? Number(v) : num(v!, 'int')),
  default: ([v, d]) => (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? d! : v),
};

function truthy(v: Value): boolean {
  if (typeof v === 'boolean') return v;
  throw new ExprError(`expected a boolean, got ${JSON.stringify(v)}`, 0);
}

function evalNode(n: Node, vars: Record<string, Value>): Value {
  switch (n.t) {
    case 'lit':
      return n.v;
    case 'var':
      if (!(n.name in vars)) throw new ExprError(`unknown name ${n.name}`, n.col);
      return vars[n.name]!;
    case 'call':
      return FUNCTIONS[n.name]!(n.args.map((a) => evalNode(a, vars)));
    case 'index': {
      const of = evalNode(n.of, vars);
      const at = num(evalNode(n.at, vars), 'index');
      if (Array.isArray(of)) {
        if (at < 0 || at >= of.length) throw new ExprError(`index ${at} out of range (length ${of.length})`, 0);
        return of[at]!;
      }
      if (at === 0) return of;
      throw new ExprError(`index ${at} of a single value`, 0);
    }
    case 'un': {
      const a = evalNode(n.a, vars);
      return n.op === '!' ? !truthy(a) : -num(a, 'negation');
    }
    case 'if':
      return truthy(evalNode(n.c, vars)) ? evalNode(n.a, vars) : evalNode(n.b, vars);
    case 'bin': {
      if (n.op === '&&') return truthy(evalNode(n.a, vars)) && truthy(evalNode(n.b, vars));
      if (n.op === '||') return truthy(evalNode(n.a, vars)) || truthy(evalNode(n.b, vars));
      const a = evalNode(n.a, vars);
      const b = evalNode(n.b, vars);
      const scalar = (v: Value): Value => (Array.isArray(v) && v.length === 1 ? v[0]! : v);
      if (n.op === '==') return scalar(a) === scalar(b);
      if (n.op === '!=') return scalar(a) !== scalar(b);
      if (n.op === '+' && typeof a === 'string' && typeof b === 'string') return a + b;
      const x = num(a, n.op), y = num(b, n.op);
      switch (n.op) {
        case '<': return x < y;
        case '<=': return x <= y;
        case '>': return x > y;
        case '>=': return x >= y;
        case '+': return x + y;
        case '-': return x - y;
        case '*': return x * y;
        case '/': return x / y;
        case '%': return x % y;
      }
      throw new ExprError(`unknown operator ${n.op}`, 0);
    }
  }
}

/** Evaluates a condition to a boolean; throws ExprError (a measurement Error in Argo's terms). */
export function evalCondition(src: string, vars: Record<string, Value>): boolean {
  const v = evalNode(parseExpr(src), vars);
  if (typeof v !== 'boolean') throw new ExprError(`the condition gave ${JSON.stringify(v)}, not true or false`, 0);
  return v;
}
