import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import type { Transporter } from 'nodemailer';
import { MAIL_SETTINGS } from '../../settings/setting-definitions';

/** The settings a mail server is made of (read together, fresh, by whoever sends). */
export const MAIL_SETTING_IDS: readonly string[] = Object.values(MAIL_SETTINGS);

/**
 * Bounded, so a silent server cannot hold a delivery round. An SMTP exchange lasts at most
 * about 50 s with these; the outbox's attempt lease must stay longer.
 */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

export interface MailServer {
  transport: Transporter;
  from: string;
}

/**
 * How the connection is protected, from the settings:
 * - `smtps`: TLS from the first byte;
 * - credentials set: STARTTLS is required (no STARTTLS offered, or stripped on the way: the
 *   attempt fails before AUTH), unless `SMTP_AllowCleartextAuth` says a cleartext AUTH is
 *   acceptable (then `SMTP_IgnoreTLS` applies as below);
 * - no credentials: STARTTLS when offered, unless `SMTP_IgnoreTLS`.
 */
export function tlsPolicy(values: ReadonlyMap<string, unknown>): {
  secure: boolean;
  requireTLS: boolean;
  ignoreTLS: boolean;
} {
  const secure = values.get(MAIL_SETTINGS.protocol) === 'smtps';
  const username = values.get(MAIL_SETTINGS.username);
  const hasCredentials = typeof username === 'string' && username.trim() !== '';
  const cleartextAllowed = values.get(MAIL_SETTINGS.allowCleartextAuth) === true;
  if (secure) return { secure, requireTLS: false, ignoreTLS: false };
  if (hasCredentials && !cleartextAllowed) return { secure, requireTLS: true, ignoreTLS: false };
  return { secure, requireTLS: false, ignoreTLS: values.get(MAIL_SETTINGS.ignoreTls) === true };
}

/**
 * A transport for the stored SMTP settings, or undefined while `SMTP_Host` or `From_Email`
 * is not set. The caller closes the transport.
 */
export async function createMailServer(
  values: ReadonlyMap<string, unknown>,
  caFile: string | undefined,
): Promise<MailServer | undefined> {
  const text = (id: string) => {
    const value = values.get(id);
    return typeof value === 'string' ? value.trim() : '';
  };
  const host = text(MAIL_SETTINGS.host);
  const from = text(MAIL_SETTINGS.from);
  if (!host || !from) return undefined;
  const policy = tlsPolicy(values);
  const port = Number(text(MAIL_SETTINGS.port)) || (policy.secure ? 465 : 25);
  const username = text(MAIL_SETTINGS.username);
  const password = values.get(MAIL_SETTINGS.password);
  // Loaded on first use: an instance that never sends mail does not keep nodemailer (~5 MiB) in memory.
  const { createTransport } = await import('nodemailer');
  const transport = createTransport({
    host,
    port,
    ...policy,
    // `ca` replaces Node's list: the system's roots stay trusted beside the file's.
    tls: caFile ? { ca: [...rootCertificates, readFileSync(caFile, 'utf8')] } : undefined,
    auth:
      username !== ''
        ? { user: username, pass: typeof password === 'string' ? password : '' }
        : undefined,
    ...SMTP_TIMEOUTS,
    // nodemailer's own logger is off: it would print the envelope and, on AUTH, credentials.
    logger: false,
    debug: false,
  });
  return { transport, from };
}
