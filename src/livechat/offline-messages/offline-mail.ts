import type { SendMailOptions } from 'nodemailer';
import type { OfflineMessage } from './offline-message.schema';

/**
 * Line breaks and other control characters become one space. Applied to every value that
 * reaches a header (names, subject), so a visitor cannot add headers or recipients, even
 * if a library below ever stopped encoding them.
 */
export function singleLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  return text.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, ' ').trim();
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]);
}

const SUBJECT_NAME_LENGTH = 100;

/** The mail for one outbox message, the same on every attempt (same Message-ID). */
export function composeOfflineMail(message: OfflineMessage, from: string): SendMailOptions {
  const name = singleLine(message.name).slice(0, SUBJECT_NAME_LENGTH);
  const department = message.departmentName ? singleLine(message.departmentName) : undefined;
  const fields: [string, string][] = [
    ['Name', name],
    ['E-mail', message.email],
    ...(department ? [['Department', department] as [string, string]] : []),
    ...(message.host ? [['Page', singleLine(message.host)] as [string, string]] : []),
  ];
  const text = [...fields.map(([label, value]) => `${label}: ${value}`), '', message.message].join(
    '\n',
  );
  const html = [
    '<table>',
    ...fields.map(
      ([label, value]) => `<tr><th align="left">${label}</th><td>${escapeHtml(value)}</td></tr>`,
    ),
    '</table>',
    `<p>${escapeHtml(message.message).replace(/\r?\n/g, '<br>\n')}</p>`,
  ].join('\n');
  return {
    from: singleLine(from),
    to: message.to,
    replyTo: { name, address: message.email },
    subject: `Offline message from ${name}${department ? ` (${department})` : ''}`,
    messageId: message.messageId,
    date: message.createdAt,
    text,
    html,
    // Nothing but the text above: no remote content, no attachments, no envelope tricks.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}
