import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { randomId } from '../common/ids';

/** The DDP messages the widget sends are small; anything larger is not the widget. */
const MAX_MESSAGE_BYTES = 16 * 1024;
/** The one method the widget calls on connecting; it expects a result without error. */
const SET_UP_CONNECTION = 'livechat:setUpConnection';

interface DdpMessage {
  msg?: unknown;
  id?: unknown;
  method?: unknown;
  name?: unknown;
}

function notFound(what: string) {
  return {
    error: 404,
    reason: `${what} not found`,
    message: `${what} not found [404]`,
    errorType: 'Meteor.Error',
  };
}

/**
 * The widget's DDP connection (`<SERVER_URL>/websocket`), answered just enough that it stays
 * connected and quiet: `connect` → `connected`, `ping` → `pong`, its `livechat:setUpConnection`
 * call → an empty result; any other method or subscription → "not found" (there are no chats
 * here). Without an answer the widget logs "Connecting error" and retries every few seconds.
 */
export class DdpKeepalive {
  private readonly server = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    perMessageDeflate: false,
  });

  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.server.handleUpgrade(request, socket, head, (ws) => {
      ws.on('message', (data, isBinary) => this.answer(ws, data, isBinary));
      ws.on('error', () => ws.terminate());
    });
  }

  /** Closes every connection (the widget reconnects to whichever instance answers next). */
  close(): Promise<void> {
    for (const ws of this.server.clients) ws.close(1001, 'server shutting down');
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private answer(ws: WebSocket, data: RawData, isBinary: boolean): void {
    let message: DdpMessage;
    try {
      message = JSON.parse(isBinary ? '' : data.toString()) as DdpMessage;
    } catch {
      return ws.close(1003, 'DDP messages are JSON text');
    }
    if (message === null || typeof message !== 'object') return;
    const id = typeof message.id === 'string' ? message.id.slice(0, 64) : undefined;
    const send = (reply: Record<string, unknown>) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(reply));
    };
    switch (message.msg) {
      case 'connect':
        return send({ msg: 'connected', session: randomId() });
      case 'ping':
        return send(id === undefined ? { msg: 'pong' } : { msg: 'pong', id });
      case 'method':
        if (id === undefined) return;
        if (message.method === SET_UP_CONNECTION) {
          send({ msg: 'result', id });
        } else {
          send({
            msg: 'result',
            id,
            error: notFound(`Method '${String(message.method).slice(0, 64)}'`),
          });
        }
        return send({ msg: 'updated', methods: [id] });
      case 'sub':
        if (id !== undefined) send({ msg: 'nosub', id, error: notFound('Subscription') });
        return;
      default:
        return;
    }
  }
}
