// A logged-in session follows the user into a new tab (Ctrl+click, "open in new tab") without
// putting the token in a URL or in localStorage: a tab without a session asks the other tabs of
// this origin over a BroadcastChannel, and one that has a session answers with it. Each tab
// still keeps its own copy in sessionStorage. Logging out in one tab ends the session in all.
import type { Session } from './api';

const CHANNEL = 'departments-console.session';
/** How long a new tab shows "loading" while it waits for an answer before the login page. */
export const JOIN_WAIT_MS = 1000;
/** An answer that comes later than that (a busy machine) is still taken, for this long. */
const LATE_ANSWER_MS = 10_000;

type Message = { type: 'ask' } | { type: 'session'; session: Session } | { type: 'ended' };

export const canShareSessions = typeof BroadcastChannel === 'function';

function isSession(value: unknown): value is Session {
  const session = value as Partial<Session> | null;
  return typeof session?.userId === 'string' && typeof session?.authToken === 'string';
}

/**
 * Joins the tabs' channel: answers asks with this tab's session, follows a log-out elsewhere,
 * and, when this tab has no session, asks for one and calls `onShared` with the first answer.
 */
export function joinTabs(handlers: {
  current: () => Session | null;
  onShared: (session: Session) => void;
  onEnded: () => void;
}): () => void {
  if (!canShareSessions) return () => undefined;
  const bus = new BroadcastChannel(CHANNEL);
  const askedAt = handlers.current() ? 0 : Date.now();
  bus.onmessage = (event: MessageEvent<Message>) => {
    const message = event.data;
    const session = handlers.current();
    if (message?.type === 'ask' && session)
      bus.postMessage({ type: 'session', session } satisfies Message);
    else if (
      message?.type === 'session' &&
      !session &&
      Date.now() - askedAt < LATE_ANSWER_MS &&
      isSession(message.session)
    )
      handlers.onShared({ userId: message.session.userId, authToken: message.session.authToken });
    else if (message?.type === 'ended' && session) handlers.onEnded();
  };
  if (askedAt) bus.postMessage({ type: 'ask' } satisfies Message);
  return () => bus.close();
}

export function announceLogOut(): void {
  if (!canShareSessions) return;
  const bus = new BroadcastChannel(CHANNEL);
  bus.postMessage({ type: 'ended' } satisfies Message);
  bus.close();
}
