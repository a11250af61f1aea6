import { composeOfflineMail, escapeHtml, singleLine } from './offline-mail';
import type { OfflineMessage } from './offline-message.schema';

const base: OfflineMessage = {
  _id: 'm1',
  status: 'pending',
  name: 'Ada',
  email: 'ada@example.com',
  message: 'Hello',
  to: 'support@example.com',
  messageId: '<m1@example.com>',
  attempts: 0,
  maxAttempts: 3,
  nextAttemptAt: new Date(0),
  createdAt: new Date(0),
  updatedAt: new Date(0),
};

describe('offline mail', () => {
  it('folds every line break and control character into one space', () => {
    expect(singleLine('a\r\nBcc: x@evil.test\u2028b\u0000c')).toBe('a Bcc: x@evil.test b c');
  });

  it('escapes markup for the HTML part', () => {
    expect(escapeHtml(`<script>"&'`)).toBe('&lt;script&gt;&quot;&amp;&#39;');
  });

  it('puts the visitor in Reply-To and keeps the header fields on one line', () => {
    const mail = composeOfflineMail(
      { ...base, name: 'Eve\r\nBcc: victim@example.org', departmentName: 'Sales\nX: y' },
      'Desk <desk@example.com>',
    );
    expect(mail.to).toBe('support@example.com');
    expect(mail.replyTo).toEqual({
      name: 'Eve Bcc: victim@example.org',
      address: 'ada@example.com',
    });
    expect(mail.subject).toBe('Offline message from Eve Bcc: victim@example.org (Sales X: y)');
    expect(mail.messageId).toBe('<m1@example.com>');
  });

  it('keeps the text as typed and escapes it in HTML', () => {
    const mail = composeOfflineMail({ ...base, message: '<b>hi</b>\nthere' }, 'desk@example.com');
    expect(mail.text).toContain('<b>hi</b>\nthere');
    expect(mail.html).toContain('&lt;b&gt;hi&lt;/b&gt;<br>');
    expect(mail.html).not.toContain('<b>');
  });
});
