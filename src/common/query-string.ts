import { parse } from 'qs';

/** What qs is told: every query value we accept is a string or a list of strings. */
const QS_OPTIONS = { depth: 1, arrayLimit: 100, parameterLimit: 200 } as const;

/**
 * `name=value` pairs whose names are plain words (no brackets, dots or escapes to
 * interpret): qs would turn each into one string property, and so does the fast path.
 */
const SIMPLE_QUERY = /^[A-Za-z0-9_]+=[^&]*(?:&[A-Za-z0-9_]+=[^&]*)*$/;

/** qs's value decoding: `+` is a space; a malformed escape leaves the text as it is. */
function decodeValue(value: string): string {
  const text = value.includes('+') ? value.replace(/\+/g, ' ') : value;
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Fastify's query string parser. Rocket.Chat clients send arrays as `ids[]=a&ids[]=b`
 * or `ids=a&ids=b`; nesting is kept shallow. Most requests carry a few plain pairs
 * (`count=50`, `includeAgents=false`): those are split here, with the result qs would
 * give, at a fraction of its cost. Anything else — brackets, repeated or prototype
 * names (qs drops those), empty pairs, more pairs than qs's limit — goes to qs.
 */
export function parseQueryString(query: string): Record<string, unknown> {
  if (query.length === 0) return {};
  if (!SIMPLE_QUERY.test(query)) return parse(query, QS_OPTIONS);
  const pairs = query.split('&');
  if (pairs.length > QS_OPTIONS.parameterLimit) return parse(query, QS_OPTIONS);
  const result: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    if (name in result || name in Object.prototype) return parse(query, QS_OPTIONS);
    result[name] = decodeValue(pair.slice(eq + 1));
  }
  return result;
}
