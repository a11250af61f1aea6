import { ApiError } from './api-error';
import { assertSafeBody, MAX_BODY_DEPTH } from './body-guard';

function rejection(body: unknown): string | undefined {
  try {
    assertSafeBody(body);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return (error as ApiError).message;
  }
}

describe('assertSafeBody', () => {
  it('accepts ordinary request bodies', () => {
    expect(
      rejection({
        department: { name: 'Sales', chatClosingTags: ['a'] },
        agents: [{ agentId: 'x' }],
      }),
    ).toBeUndefined();
    expect(rejection(null)).toBeUndefined();
  });

  it('rejects operator, dotted and prototype keys at any level, naming the path', () => {
    expect(rejection({ department: { $where: '1' } })).toBe('department.$where is not allowed');
    expect(rejection({ agents: [{ 'a.b': 1 }] })).toBe('agents.0.a.b is not allowed');
    expect(rejection(JSON.parse('{"department":{"constructor":{}}}'))).toBe(
      'department.constructor is not allowed',
    );
    expect(rejection({ toString: 'x' })).toBe('toString is not allowed');
    expect(rejection({ value: true, prototype: null })).toBe('prototype is not allowed');
  });

  it('rejects nesting deeper than the limit without overflowing the stack', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(rejection(deep)).toMatch(/nested deeper than/);
    let ok: unknown = 'leaf';
    for (let i = 0; i < MAX_BODY_DEPTH - 1; i++) ok = { a: ok };
    expect(rejection(ok)).toBeUndefined();
  });

  it('rejects lone surrogates', () => {
    expect(rejection({ department: { email: 'a\ud800@b' } })).toBe(
      'department.email must be valid unicode text',
    );
  });
});
