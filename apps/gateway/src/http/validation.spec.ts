import { bodyValidator, nulField, queryValidator } from './validation';

describe('request validation', () => {
  const noteBody = bodyValidator<{ note: string; tags?: string[] }>({
    type: 'object',
    properties: { note: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } },
    required: ['note'],
    additionalProperties: false,
  });

  it('passes a body that matches its schema', () => {
    expect(noteBody({ note: 'voided by hand', tags: ['a'] })).toEqual({
      note: 'voided by hand',
      tags: ['a'],
    });
  });

  it('refuses a NUL character anywhere in a body, naming the field (PostgreSQL cannot store it)', () => {
    expect(() => noteBody({ note: 'fine\u0000' })).toThrow('note: must not contain NUL characters');
    expect(nulField({ note: 'ok', tags: ['x', 'y\u0000'] })).toBe('tags[1]');
    expect(nulField({ a: { b: '\u0000' } })).toBe('a.b');
    expect(nulField({ note: 'no nul here', n: 3, nothing: null })).toBeUndefined();
  });

  it('refuses a NUL character in a query string too', () => {
    const query = queryValidator<{ q?: string }>({
      type: 'object',
      properties: { q: { type: 'string' } },
      additionalProperties: false,
    });
    expect(query({ q: 'stuck' })).toEqual({ q: 'stuck' });
    expect(() => query({ q: 'st\u0000uck' })).toThrow('q: must not contain NUL characters');
  });
});
