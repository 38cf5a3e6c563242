import { describe, expect, it } from 'vitest';
import { parseLabelSelector, SelectorSyntaxError } from '../../../engine/cluster/labels.js';
import { matchesSelector } from '../../../engine/cluster/objects.js';

/**
 * kubectl's `-l` syntax, rows transcribed from k8s.io/apimachinery/pkg/labels/selector_test.go
 * (TestSelectorMatches, TestSelectorParse, TestSetSelectorParser, TestRequirementSelectorMatching),
 * leaving out the numeric `>` / `<` rows, which have no LabelSelector form here (refused, tested below).
 */

const matches = (selector: string, labels: Record<string, string>) => matchesSelector(parseLabelSelector(selector), labels);

describe('TestSelectorMatches', () => {
  it.each([
    ['x=y', { x: 'y' }],
    ['x=y,z=w', { x: 'y', z: 'w' }],
    ['x!=y,z!=w', { x: 'z', z: 'a' }],
    ['notin=in', { notin: 'in' }], // in and notin in exactMatch
    ['x', { x: 'z' }],
    ['!x', { y: 'z' }],
    ['foo=bar', { foo: 'bar', baz: 'blah' }],
    ['baz=blah', { foo: 'bar', baz: 'blah' }],
    ['foo=bar,baz=blah', { foo: 'bar', baz: 'blah' }],
  ])('%s matches %j', (selector, labels) => {
    expect(matches(selector, labels)).toBe(true);
  });

  it.each([
    ['x=z', {}],
    ['x=y', { x: 'z' }],
    ['x=y,z=w', { x: 'w', z: 'w' }],
    ['x!=y,z!=w', { x: 'z', z: 'w' }],
    ['x', { y: 'z' }],
    ['!x', { x: 'z' }],
    ['foo=blah', { foo: 'bar', baz: 'blah' }],
    ['baz=bar', { foo: 'bar', baz: 'blah' }],
    ['foo=bar,foobar=bar,baz=blah', { foo: 'bar', baz: 'blah' }],
  ])('%s does not match %j', (selector, labels) => {
    expect(matches(selector, labels)).toBe(false);
  });
});

describe('TestRequirementSelectorMatching (as selector strings)', () => {
  it.each([
    ['x in (foo),y notin (alpha)', { x: 'foo', y: 'baz' }, true],
    ['x in (foo),y in (alpha)', { x: 'foo', y: 'baz' }, false],
    ['x notin (),y', { y: '' }, true],
    ['!x,y', { y: '' }, true],
    ['x notin (),!y', { y: '' }, false],
    ['x in ()', { y: 'baz' }, false],
  ])('%s on %j: %s', (selector, labels, want) => {
    expect(matches(selector, labels)).toBe(want);
  });
});

describe('TestSelectorParse and TestSetSelectorParser: what parses', () => {
  it.each([
    ['x=a,y=b,z=c', [['x', 'In', ['a']], ['y', 'In', ['b']], ['z', 'In', ['c']]]],
    ['x!=a,y=b', [['x', 'NotIn', ['a']], ['y', 'In', ['b']]]],
    ['x=', [['x', 'In', ['']]]],
    ['x= ', [['x', 'In', ['']]]],
    ['x=,z= ', [['x', 'In', ['']], ['z', 'In', ['']]]],
    ['!x', [['x', 'DoesNotExist']]],
    ['\rx', [['x', 'Exists']]],
    ['this-is-a-dns.domain.com/key-with-dash', [['this-is-a-dns.domain.com/key-with-dash', 'Exists']]],
    ['this-is-another-dns.domain.com/key-with-dash in (so,what)', [['this-is-another-dns.domain.com/key-with-dash', 'In', ['so', 'what']]]],
    ['0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)', [['0.1.2.domain/99', 'NotIn', ['10.10.100.1', 'tick.tack.clock']]]],
    ['foo  in\t (abc)', [['foo', 'In', ['abc']]]],
    ['x notin\n (abc)', [['x', 'NotIn', ['abc']]]],
    ['x in (abc,)', [['x', 'In', ['', 'abc']]]],
    ['x in ()', [['x', 'In', ['']]]],
    ['x notin (abc,def),bar,z in (),w', [['x', 'NotIn', ['abc', 'def']], ['bar', 'Exists'], ['z', 'In', ['']], ['w', 'Exists']]],
    ['x=a,y!=b,z in (h,i,j)', [['x', 'In', ['a']], ['y', 'NotIn', ['b']], ['z', 'In', ['h', 'i', 'j']]]],
    ['x notin ( )', [['x', 'NotIn', ['']]]],
    ['x notin (, a)', [['x', 'NotIn', ['', 'a']]]],
    ['a ', [['a', 'Exists']]],
    ['a in (x,y,notin, z,in)', [['a', 'In', ['in', 'notin', 'x', 'y', 'z']]]], // operator 'in' inside a list of identifiers
    ['x==a', [['x', 'In', ['a']]]],
  ])('%j', (text, want) => {
    const got = parseLabelSelector(text).matchExpressions!.map((r) => (r.values === undefined ? [r.key, r.operator] : [r.key, r.operator, r.values]));
    expect(got).toEqual(want);
  });

  it.each([
    ['x=a||y=b', 3], // bad value a||y
    ['x==a==b', 5],
    ['!x=a', 3],
    [',x,y', 1],
    ['x,,y', 3],
    ['x nott in (y)', 3],
    ['a in (xyz),', 12],
    ['a in (xyz)b notin ()', 11],
    ['a in (xyz abc)', 11], // no comma
    ['a notin(', 9], // badly formed
    ['a (', 3],
    ['(', 1],
    ['', 1], // the empty selector: kubectl's "everything" is refused here
    ['x>1', 2],
    ['x<a', 2],
  ])('%j is refused at column %i', (text, column) => {
    let err: unknown;
    try {
      parseLabelSelector(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SelectorSyntaxError);
    expect((err as SelectorSyntaxError).column).toBe(column);
  });
});
