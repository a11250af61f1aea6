// A TCP relay between the service and an SMTP server that keeps every byte the client sent,
// so a test can assert on the wire what went out in clear. With `stripStartTls` it plays a
// downgrade attacker: the server's EHLO answer loses its STARTTLS line and a STARTTLS command
// is refused (the STRIPTLS attack).
import * as net from 'node:net';
import { freePort } from './smtp-sink';

/** An EHLO answer without its STARTTLS line (the answer's new last line becomes "250 …"). */
function withoutStartTls(text: string): string {
  if (!/^250[ -]STARTTLS\r$/m.test(text)) return text;
  const lines = text.split('\r\n').filter((line) => !/^250[ -]STARTTLS$/.test(line));
  const last = lines.length - 2; // the text ends with CRLF: the final element is ''
  lines[last] = lines[last].replace(/^250-/, '250 ');
  return lines.join('\r\n');
}

export class SmtpWireTap {
  /** Everything the client sent, as latin1 text (TLS records stay unreadable, as on the wire). */
  clientBytes = '';
  private readonly sockets = new Set<net.Socket>();
  private readonly server = net.createServer((client) => this.relay(client));

  private constructor(
    readonly port: number,
    private readonly targetPort: number,
    private readonly stripStartTls: boolean,
  ) {}

  static async create(
    targetPort: number,
    options: { stripStartTls?: boolean } = {},
  ): Promise<SmtpWireTap> {
    const tap = new SmtpWireTap(await freePort(), targetPort, options.stripStartTls === true);
    await new Promise<void>((resolve) => tap.server.listen(tap.port, '127.0.0.1', () => resolve()));
    return tap;
  }

  private relay(client: net.Socket): void {
    const upstream = net.connect(this.targetPort, '127.0.0.1');
    this.sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => {
      this.clientBytes += chunk.toString('latin1');
      // The attacker also refuses a STARTTLS the client sends unannounced.
      if (this.stripStartTls && /^STARTTLS\r\n$/i.test(chunk.toString('latin1'))) {
        client.write('454 4.7.0 TLS not available\r\n');
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      client.write(
        this.stripStartTls
          ? Buffer.from(withoutStartTls(chunk.toString('latin1')), 'latin1')
          : chunk,
      );
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
