import { ALLOWED_DOMAIN, splitList } from '../settings/setting-definitions';

/** One parsed `Livechat_AllowedDomainsList` entry. */
interface AllowedEntry {
  scheme?: string;
  /** `*.example.com` → suffix `.example.com` (subdomains only, as in CSP). */
  host: string;
  wildcard: boolean;
  port?: string;
}

function parseEntry(entry: string): AllowedEntry | undefined {
  if (!ALLOWED_DOMAIN.test(entry)) return undefined;
  const match = /^(?:(https?):\/\/)?(\*\.)?([^:]+)(?::(\d+))?$/i.exec(entry);
  if (!match) return undefined;
  return {
    scheme: match[1]?.toLowerCase(),
    wildcard: match[2] !== undefined,
    host: match[3].toLowerCase(),
    port: match[4],
  };
}

/**
 * Whether a browser `Origin` is in the list. An entry without a scheme allows both http and
 * https; without a port, any port. An empty list allows every origin (Rocket.Chat's rule).
 */
export function isAllowedOrigin(origin: string, list: unknown): boolean {
  const entries = splitList(list);
  if (entries.length === 0) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.origin !== origin.toLowerCase() && url.origin !== origin) return false;
  const scheme = url.protocol.slice(0, -1);
  const host = url.hostname.toLowerCase();
  const port = url.port || (scheme === 'https' ? '443' : '80');
  return entries.some((text) => {
    const entry = parseEntry(text);
    if (!entry) return false;
    if (entry.scheme && entry.scheme !== scheme) return false;
    if (entry.port && entry.port !== port) return false;
    return entry.wildcard ? host.endsWith(`.${entry.host}`) : host === entry.host;
  });
}

/**
 * The CSP `frame-ancestors` sources for the same list: `*` when empty, else this service
 * itself (the console's preview) and each entry, with `:*` where no port was given so that
 * framing and CORS allow the same origins.
 */
export function frameAncestors(list: unknown): string {
  const entries = splitList(list)
    .map(parseEntry)
    .filter((entry): entry is AllowedEntry => entry !== undefined);
  if (entries.length === 0) return '*';
  const sources = entries.map(
    (entry) =>
      `${entry.scheme ? `${entry.scheme}://` : ''}${entry.wildcard ? '*.' : ''}${entry.host}:${entry.port ?? '*'}`,
  );
  return ["'self'", ...sources].join(' ');
}

/** `API_CORS_Origin`: `*`, or a comma-separated list of exact origins. */
export function isAllowedApiOrigin(origin: string, setting: unknown): boolean {
  if (setting === '*') return true;
  return splitList(setting).some((allowed) => allowed.toLowerCase() === origin.toLowerCase());
}
