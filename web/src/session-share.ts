// A logged-in session follows the user into a new tab (Ctrl+click, "open in new tab") without
// putting the token in a URL or in localStorage: a tab without a session asks the other tabs of
// this origin over a BroadcastChannel, and one that has a session answers with it. Each tab
// still keeps its own copy in sessionStorage. Logging out in one tab ends the session in all.
import type { Session } from './api';

const CHANNEL = 'departments-console.session';
const WAIT_MS = 300;

type Message = { type: 'ask' } | { type: 'session'; session: Session } | { type: 'ended' };

function channel(): BroadcastChannel | null {
  return typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL) : null;
}

export const canShareSessions = typeof BroadcastChannel === 'function';

/** The session of another open tab, or null when none answers in time. */
export function askOtherTabs(): Promise<Session | null> {
  const bus = channel();
  if (!bus) return Promise.resolve(null);
  return new Promise((resolve) => {
    const done = (session: Session | null) => {
      clearTimeout(timer);
      bus.close();
      resolve(session);
    };
    const timer = setTimeout(() => done(null), WAIT_MS);
    bus.onmessage = (event: MessageEvent<Message>) => {
      const message = event.data;
      if (
        message?.type === 'session' &&
        typeof message.session?.userId === 'string' &&
        typeof message.session?.authToken === 'string'
      )
        done({ userId: message.session.userId, authToken: message.session.authToken });
    };
    bus.postMessage({ type: 'ask' } satisfies Message);
  });
}

/** Answers other tabs' asks with this tab's session; calls `onEnded` when another tab logs out. */
export function serveOtherTabs(current: () => Session | null, onEnded: () => void): () => void {
  const bus = channel();
  if (!bus) return () => undefined;
  bus.onmessage = (event: MessageEvent<Message>) => {
    const session = current();
    if (event.data?.type === 'ask' && session)
      bus.postMessage({ type: 'session', session } satisfies Message);
    if (event.data?.type === 'ended' && session) onEnded();
  };
  return () => bus.close();
}

export function announceLogOut(): void {
  const bus = channel();
  bus?.postMessage({ type: 'ended' } satisfies Message);
  bus?.close();
}
