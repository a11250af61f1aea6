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
  ApiError,
  get,
  loadSession,
  request,
  setUnauthorizedHandler,
  storeSession,
  type Session,
} from './api';
import { announceLogOut, canShareSessions, JOIN_WAIT_MS, joinTabs } from './session-share';
import type { Me } from './types';
import { isUnitScoped } from './utils/unit-scope';

// Rocket.Chat's default roles per permission (docs/api.md §3). Used when the user may not read
// permissions.listAll (it needs access-permissions); the API enforces the real table anyway.
const DEFAULT_PERMISSION_ROLES: Record<string, string[]> = {
  'view-livechat-departments': ['admin', 'livechat-manager', 'livechat-monitor'],
  'manage-livechat-departments': ['admin', 'livechat-manager', 'livechat-monitor'],
  'add-livechat-department-agents': ['admin', 'livechat-manager', 'livechat-monitor'],
  'remove-livechat-department': ['admin', 'livechat-manager'],
  'view-l-room': ['admin', 'livechat-manager', 'livechat-monitor', 'livechat-agent'],
  'manage-livechat-agents': ['admin', 'livechat-manager'],
  'view-livechat-business-hours': ['admin', 'livechat-manager'],
  'manage-livechat-business-hours': ['admin', 'livechat-manager'],
  'edit-privileged-setting': ['admin'],
  'access-permissions': ['admin'],
  'manage-livechat-units': ['admin', 'livechat-manager'],
  'manage-livechat-monitors': ['admin', 'livechat-manager'],
};

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
    queryKey: ['me', session?.userId],
    queryFn: () => get<Me>('me'),
    enabled: session !== null,
    staleTime: 60_000,
  });

  const permissionsQuery = useQuery({
    queryKey: ['permissions', session?.userId],
    enabled: meQuery.data !== undefined,
    staleTime: 60_000,
    queryFn: async () => {
      // permissions.listAll itself needs access-permissions: only those who hold it by default ask.
      const roles = meQuery.data?.roles ?? [];
      if (!DEFAULT_PERMISSION_ROLES['access-permissions'].some((role) => roles.includes(role))) {
        return DEFAULT_PERMISSION_ROLES;
      }
      try {
        const answer = await get<{ update: { _id: string; roles: string[] }[] }>(
          'permissions.listAll',
        );
        const table: Record<string, string[]> = { ...DEFAULT_PERMISSION_ROLES };
        for (const permission of answer.update) table[permission._id] = permission.roles;
        return table;
      } catch (error) {
        if (error instanceof ApiError && error.status === 403) return DEFAULT_PERMISSION_ROLES;
        throw error;
      }
    },
  });

  const me = meQuery.data;
  const table = permissionsQuery.data;
  const can = useCallback(
    (...permissions: string[]) =>
      !!me &&
      !!table &&
      permissions.some((permission) =>
        (table[permission] ?? []).some((role) => me.roles.includes(role)),
      ),
    [me, table],
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
      permissionsLoaded: !!me && !!table,
      unitScoped: isUnitScoped(me?.roles ?? []),
      logIn,
      logOut,
      endedReason,
      joining,
    }),
    [session, me, can, table, logIn, logOut, endedReason, joining],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside AuthProvider');
  return value;
}
