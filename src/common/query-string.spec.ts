import { parse } from 'qs';
import { parseQueryString } from './query-string';

const viaQs = (query: string) => parse(query, { depth: 1, arrayLimit: 100, parameterLimit: 200 });

describe('parseQueryString', () => {
  it.each([
    '',
    'count=50',
    'includeAgents=false',
    'count=50&offset=100&text=sales',
    'text=caf%C3%A9+au+lait',
    'text=100%25',
    'text=%E0%A4%A',
    'text=a%2Bb+c',
    'text=',
    'a=1&b=&c=3',
    'text=x=y',
    'ids[]=a&ids[]=b',
    'ids=a&ids=b',
    'ids%5B%5D=a',
    'a.b=c',
    'a[b]=c',
    'a[b][c]=d',
    'constructor=x',
    '__proto__=x&count=1',
    'hasOwnProperty=1',
    'a=1&&b=2',
    'flag',
    'flag&count=1',
    '=x',
    'sort=%7B%22name%22%3A1%7D',
    Array.from({ length: 250 }, (_, i) => `k${i}=${i}`).join('&'),
  ])('gives what qs gives for %s', (query) => {
    expect(parseQueryString(query)).toEqual(viaQs(query));
  });

  it('keeps an ordinary prototype: values are read as own properties', () => {
    const parsed = parseQueryString('count=5');
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(['count']);
  });
});
