// A real SMTP server on loopback (npm smtp-server) that keeps every mail it receives,
// parsed (mailparser), with its SMTP envelope. It can be stopped and started again on the
// same port, to play a mail server outage, and hold a mail's DATA unanswered (a sender
// paused mid-DATA) until the test releases it.
import * as net from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  mail: ParsedMail;
  /** RCPT TO addresses: where the mail really went, whatever its headers say. */
  recipients: string[];
  sender: string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A mail held after its DATA, before the server's answer (see `holdNextData`). */
export interface HeldData {
  /** Resolves with the held mail once its DATA has arrived. */
  arrived: Promise<ParsedMail>;
  /** Answers the held DATA: 250 (the mail is received) or a temporary 451 (it is not). */
  release(answer: 'accept' | 'reject'): void;
}

export class SmtpSink {
  readonly received: ReceivedMail[] = [];
  /** Mails whose DATA arrived but that were answered 451 (not received). */
  readonly rejected: ParsedMail[] = [];
  private hold?: { arrived: (mail: ParsedMail) => void; answer: Promise<'accept' | 'reject'> };
  private releaseHeld?: () => void;
  /**
   * The credentials clients logged in with (AUTH PLAIN/LOGIN), accepted whatever they are,
   * and whether the connection was TLS by then.
   */
  readonly logins: { username?: string; password?: string; secure: boolean }[] = [];
  private server?: SMTPServer;

  private constructor(
    readonly port: number,
    private readonly tls?: { key: string; cert: string },
  ) {}

  /**
   * A sink on a free port; `listening: false` leaves it down (an outage) until start().
   * With `tls`, it offers STARTTLS with that key and certificate; without, it does not.
   */
  static async create(
    options: { listening?: boolean; tls?: { key: string; cert: string } } = {},
  ): Promise<SmtpSink> {
    const sink = new SmtpSink(await freePort(), options.tls);
    if (options.listening !== false) await sink.start();
    return sink;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  async start(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      // Accepts AUTH without TLS: whether a client sends it in clear is what tests look at.
      allowInsecureAuth: true,
      ...(this.tls
        ? { key: this.tls.key, cert: this.tls.cert }
        : { disabledCommands: ['STARTTLS'] }),
      onAuth: (auth, session, callback) => {
        this.logins.push({
          username: auth.username,
          password: auth.password ?? undefined,
          secure: session.secure === true,
        });
        callback(null, { user: auth.username });
      },
      logger: false,
      onData: (stream, session, callback) => {
        const hold = this.hold;
        this.hold = undefined;
        simpleParser(stream)
          .then(async (mail) => {
            if (hold) {
              hold.arrived(mail);
              if ((await hold.answer) === 'reject') {
                this.rejected.push(mail);
                const error = new Error('Try again later') as Error & { responseCode: number };
                error.responseCode = 451;
                return callback(error);
              }
            }
            this.received.push({
              mail,
              recipients: session.envelope.rcptTo.map((rcpt) => rcpt.address),
              sender: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            });
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The next mail's DATA is held unanswered until `release` (only that one: later ones pass). */
  holdNextData(): HeldData {
    let arrived!: (mail: ParsedMail) => void;
    let release!: (answer: 'accept' | 'reject') => void;
    const arrival = new Promise<ParsedMail>((resolve) => (arrived = resolve));
    const answer = new Promise<'accept' | 'reject'>((resolve) => (release = resolve));
    this.hold = { arrived, answer };
    this.releaseHeld = () => release('accept');
    return { arrived: arrival, release };
  }

  /** Ends a hold a failed test left (so no sender stays stuck into the next test). */
  endHold(): void {
    this.hold = undefined;
    this.releaseHeld?.();
  }

  /** Waits for a mail whose Message-ID is `messageId`. */
  async waitFor(messageId: string, timeoutMs = 20_000): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find((item) => item.mail.messageId === messageId);
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `no mail ${messageId} within ${timeoutMs} ms (got ${this.received.length})`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  copiesOf(messageId: string): number {
    return this.received.filter((item) => item.mail.messageId === messageId).length;
  }
}
