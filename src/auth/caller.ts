/**
 * Who calls and who changes things: the types every layer passes around. A leaf: it
 * imports nothing, so users, permissions and auth can all depend on it without depending
 * on each other.
 */

/** The authenticated caller of a request (set by AuthGuard). */
export interface AuthenticatedUser {
  _id: string;
  username: string;
  roles: string[];
}

/** Who makes a change, and in which request (for the change history). */
export interface Actor {
  user: { _id: string; username: string };
  requestId: string;
  /**
   * This service generated `requestId` for this very request (it came without X-Request-Id):
   * no earlier write carries it.
   */
  freshRequestId?: boolean;
  /** Set for the writes of a configuration apply: its id lands in every history entry. */
  applyId?: string;
}
