import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from 'react';
import {
  get,
  loadSession,
  request,
  setUnauthorizedHandler,
  storeSession,
  type Session,
} from './api';
import { announceLogOut, canShareSessions, JOIN_WAIT_MS, joinTabs } from './session-share';
import { dropDrafts, keepDrafts } from './drafts';
import { queryKeys } from './query-keys';
import type { Me } from './types';
import { isUnitScoped } from './utils/unit-scope';

interface AuthState {
  session: Session | null;
  me: Me | undefined;
  /** Whether the signed-in user holds one of these permissions. */
  can: (...permissions: string[]) => boolean;
  permissionsLoaded: boolean;
  /** A monitor: sees and manages only the departments of its units (docs/api.md §14). */
  unitScoped: boolean;
  logIn: (user: string, password: string) => Promise<void>;
  logOut: () => Promise<void>;
  /** Why the user was returned to the login page, if not by their own choice. */
  endedReason: string | null;
  /** A new tab asking the other tabs for their session (briefly, at start). */
  joining: boolean;
}

const AuthContext = createContext<AuthState | null>(null);

interface LoginAnswer {
  data: { userId: string; authToken: string };
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [session, setSession] = useState<Session | null>(loadSession);
  const [endedReason, setEndedReason] = useState<string | null>(null);
  const [joining, setJoining] = useState(() => canShareSessions && loadSession() === null);

  const end = useCallback((reason: string | null) => {
    // Ended by the service (not by the user): unsaved edits wait for the next login.
    if (reason) keepDrafts();
    else dropDrafts();
    storeSession(null);
    setSession(null);
    setEndedReason(reason);
  }, []);

  // Cached answers belong to the session that read them. Cleared once the session's queries
  // are disabled (after the render without a session), so nothing refetches without a token.
  useEffect(() => {
    if (!session) queryClient.clear();
  }, [session, queryClient]);

  useEffect(() => {
    setUnauthorizedHandler(() => end('Your session has ended. Log in again.'));
  }, [end]);

  // A new tab takes the session of an open one; open tabs answer and follow a log-out.
  useEffect(
    () =>
      joinTabs({
        current: loadSession,
        onShared: (shared) => {
          storeSession(shared);
          setEndedReason(null);
          setSession(shared);
          setJoining(false);
        },
        onEnded: () => end('You logged out in another tab.'),
      }),
    [end],
  );
  useEffect(() => {
    if (!joining) return;
    const timer = setTimeout(() => setJoining(false), JOIN_WAIT_MS);
    return () => clearTimeout(timer);
  }, [joining]);

  const meQuery = useQuery({
    queryKey: queryKeys.me(session?.userId),
    queryFn: () => get<Me>('me'),
    enabled: session !== null,
    staleTime: 60_000,
  });

  // What the user may do, as the API decides it (roles as edited, not a copy of the defaults).
  const permissionsQuery = useQuery({
    queryKey: queryKeys.permissions(session?.userId),
    enabled: session !== null,
    staleTime: 60_000,
    queryFn: async () =>
      new Set((await get<{ permissions: string[] }>('permissions.mine')).permissions),
  });

  const me = meQuery.data;
  const held = permissionsQuery.data;
  const can = useCallback(
    (...permissions: string[]) => !!held && permissions.some((permission) => held.has(permission)),
    [held],
  );

  const logIn = useCallback(
    async (user: string, password: string) => {
      const answer = await request<LoginAnswer>('POST', 'login', {
        body: { user, password },
        anonymous: true,
      });
      const next = { userId: answer.body.data.userId, authToken: answer.body.data.authToken };
      queryClient.clear();
      storeSession(next);
      setEndedReason(null);
      setSession(next);
    },
    [queryClient],
  );

  const logOut = useCallback(async () => {
    // End the session here first, so that no query of this page goes out with the token
    // while the service revokes it; then revoke it with the credentials kept aside.
    const ending = loadSession();
    await queryClient.cancelQueries();
    end(null);
    announceLogOut();
    if (!ending) return;
    try {
      await request('POST', 'logout', {
        anonymous: true,
        headers: { 'X-User-Id': ending.userId, 'X-Auth-Token': ending.authToken },
      });
    } catch {
      // The token is dropped locally whatever the answer.
    }
  }, [end, queryClient]);

  const value = useMemo<AuthState>(
    () => ({
      session,
      me,
      can,
      permissionsLoaded: !!me && !!held,
      unitScoped: isUnitScoped(me?.roles ?? []),
      logIn,
      logOut,
      endedReason,
      joining,
    }),
    [session, me, can, held, logIn, logOut, endedReason, joining],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside AuthProvider');
  return value;
}
