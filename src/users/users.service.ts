import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { QueryFilter } from 'mongoose';
import type { Actor, AuthenticatedUser } from '../auth/caller';
import { ApiError } from '../common/api-error';
import { randomId } from '../common/ids';
import { escapeRegExp, Page } from '../common/pagination';
import { hashPasswordDigest, sameHash } from './credentials';
import { identityKeys, IdentityReservations } from './identity-reservations.repository';
import { UserInLifecycle, UserLifecycle } from './user-lifecycle';
import { UsersRepository } from './users.repository';
import { LivechatStatus, LoginToken, User } from './user.schema';

/** What the rest of the service knows about the caller of a request. */
export interface NewUser {
  username: string;
  email: string;
  passwordDigest: string;
  name?: string;
  roles?: string[];
  active?: boolean;
}

/** Public fields of a user; never includes `services`. */
const PUBLIC_FIELDS = {
  _id: 1,
  username: 1,
  name: 1,
  emails: 1,
  roles: 1,
  active: 1,
  status: 1,
  statusLivechat: 1,
} as const;

export type PublicUser = Pick<
  User,
  '_id' | 'username' | 'name' | 'emails' | 'roles' | 'active' | 'status' | 'statusLivechat'
>;

interface CachedCredentials {
  user: AuthenticatedUser;
  tokens: LoginToken[];
  expiresAt: number;
  /** Served from the cache rather than read for this request. */
  cached: boolean;
}

/**
 * API.md §3 allows 5 s of staleness across instances; this instance drops an
 * entry whenever it changes that user, so its own changes apply at once.
 */
const AUTH_CACHE_TTL_MS = 5_000;
const AUTH_CACHE_MAX_ENTRIES = 10_000;
/** Whether stored `roles` hold `role`, as the query `{ roles: role }` matches (an array or a single value). */
function holdsRole(roles: unknown, role: string): boolean {
  return Array.isArray(roles) ? roles.includes(role) : roles === role;
}

/** Up to this many ids, users are looked up one by one by `_id` (see findWithRole). */
const BY_ID_LOOKUPS_MAX = 10;

/** Rocket.Chat's presence values (`users.setStatus`). */
export const USER_STATUSES = ['online', 'away', 'busy', 'offline'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];
/** Rocket.Chat keeps this much of a status message. */
const STATUS_TEXT_MAX = 120;

function fieldUnavailable(field: string): ApiError {
  return ApiError.badRequest('error-field-unavailable', `${field} is already in use :(`);
}

const DUPLICATE_KEY = 11000;

@Injectable()
export class UsersService implements OnApplicationBootstrap {
  private readonly authCache = new Map<string, CachedCredentials>();
  /**
   * Credential reads under way. `forget` detaches a user's read, so that a read which began
   * before a change on this instance never caches what the change replaced.
   */
  private readonly loading = new Map<string, Promise<CachedCredentials | null>>();

  constructor(
    private readonly users: UsersRepository,
    private readonly reservations: IdentityReservations,
    private readonly lifecycle: UserLifecycle,
  ) {}

  /** Databases from before reservations (or written by Rocket.Chat) get theirs before requests arrive. */
  async onApplicationBootstrap(): Promise<void> {
    await this.reservations.reserveExisting();
  }

  /**
   * The user holding this login token, or null. The token must be younger than
   * `maxAgeMs` and the user active. Hashes are compared in constant time.
   */
  async authenticate(
    userId: string,
    hashedToken: string,
    maxAgeMs: number,
  ): Promise<AuthenticatedUser | null> {
    const oldest = Date.now() - maxAgeMs;
    const holds = (credentials: CachedCredentials) =>
      credentials.tokens.some(
        (token) =>
          typeof token.hashedToken === 'string' &&
          sameHash(token.hashedToken, hashedToken) &&
          new Date(token.when).getTime() > oldest,
      );
    let credentials = await this.credentials(userId);
    if (credentials && !holds(credentials) && credentials.cached) {
      // A token issued since the entry was read (by a login on another instance) works at once.
      this.forget(userId);
      credentials = await this.credentials(userId);
    }
    return credentials && holds(credentials) ? credentials.user : null;
  }

  private async credentials(userId: string): Promise<CachedCredentials | null> {
    const cached = this.authCache.get(userId);
    if (cached && cached.expiresAt > Date.now()) return { ...cached, cached: true };
    const underWay = this.loading.get(userId);
    if (underWay) {
      // Begun for another request, perhaps before a token this one carries was issued.
      const entry = await underWay;
      return entry && { ...entry, cached: true };
    }
    const read = this.readCredentials(userId);
    this.loading.set(userId, read);
    try {
      const entry = await read;
      // Cached only when no change on this instance happened since the read began.
      if (this.loading.get(userId) === read) {
        this.authCache.delete(userId);
        if (entry) this.cache(userId, entry);
      }
      return entry;
    } finally {
      if (this.loading.get(userId) === read) this.loading.delete(userId);
    }
  }

  private async readCredentials(userId: string): Promise<CachedCredentials | null> {
    const doc = await this.users.findOne<Pick<User, '_id' | 'username' | 'roles' | 'services'>>(
      { _id: userId, active: { $ne: false } },
      { username: 1, roles: 1, 'services.resume.loginTokens': 1 },
    );
    if (!doc) return null;
    return {
      user: { _id: doc._id, username: doc.username, roles: doc.roles ?? [] },
      tokens: doc.services?.resume?.loginTokens ?? [],
      expiresAt: Date.now() + AUTH_CACHE_TTL_MS,
      cached: false,
    };
  }

  private cache(userId: string, entry: CachedCredentials): void {
    if (this.authCache.size >= AUTH_CACHE_MAX_ENTRIES) {
      // Maps iterate in insertion order: drop the oldest entry.
      const oldest = this.authCache.keys().next();
      if (!oldest.done) this.authCache.delete(oldest.value);
    }
    this.authCache.set(userId, entry);
  }

  /** This instance's changes to a user apply to its next request. */
  private forget(userId: string): void {
    this.authCache.delete(userId);
    this.loading.delete(userId);
  }

  /** Looks a user up by username, or by e-mail address when `login` contains `@`. */
  async findForLogin(
    login: string,
  ): Promise<{ _id: string; bcrypt?: string; active: boolean } | null> {
    const filter: QueryFilter<User> = login.includes('@')
      ? { 'emails.address': login.toLowerCase() }
      : { username: login };
    const doc = await this.users.findOne<Pick<User, '_id' | 'active' | 'services'>>(filter, {
      active: 1,
      'services.password.bcrypt': 1,
    });
    if (!doc) return null;
    return { _id: doc._id, bcrypt: doc.services?.password?.bcrypt, active: doc.active !== false };
  }

  /**
   * Adds a login token, then prunes the user's tokens: those older than `maxAgeMs`, and the
   * oldest beyond `maxTokens`. Each step is one atomic update of the user: the token is pushed,
   * and stale elements are pulled by exact value (`$pullAll`), so a token another login adds
   * meanwhile is never lost, and FerretDB, which ignores `$pull` with a condition, prunes too.
   * False (and no token) when the user was deactivated meanwhile: a deactivation sets
   * `active: false` before it removes the tokens, so a token pushed after that removal is seen
   * here.
   */
  async addLoginToken(
    userId: string,
    hashedToken: string,
    limits: { maxAgeMs: number; maxTokens: number },
  ): Promise<boolean> {
    const added: LoginToken = { when: new Date(), hashedToken };
    await this.users.updateOne(
      { _id: userId },
      { $push: { 'services.resume.loginTokens': added } },
    );
    this.forget(userId);
    const user = await this.users.findOne<Pick<User, 'active' | 'services'>>(
      { _id: userId },
      { active: 1, 'services.resume.loginTokens': 1 },
    );
    const tokens = user?.services?.resume?.loginTokens ?? [];
    if (!user || user.active === false) {
      const mine = tokens.filter((token) => token.hashedToken === hashedToken);
      if (mine.length > 0) {
        await this.users.updateOne(
          { _id: userId },
          { $pullAll: { 'services.resume.loginTokens': mine } },
        );
      }
      return false;
    }
    const oldest = Date.now() - limits.maxAgeMs;
    const issuedAt = (token: LoginToken) => new Date(token.when).getTime() || 0;
    const live = tokens
      .filter((token) => issuedAt(token) > oldest)
      .sort((a, b) => issuedAt(b) - issuedAt(a));
    const keep = new Set(live.slice(0, limits.maxTokens));
    // The token being handed out stays, even when concurrent logins tie with it on `when`.
    const stale = tokens.filter((token) => !keep.has(token) && token.hashedToken !== hashedToken);
    if (stale.length > 0) {
      await this.users.updateOne(
        { _id: userId },
        { $pullAll: { 'services.resume.loginTokens': stale } },
      );
      this.forget(userId);
    }
    return true;
  }

  /**
   * Removes one login token. The stored element is pulled by exact value: FerretDB
   * silently ignores `$pull` with a condition.
   */
  async removeLoginToken(userId: string, hashedToken: string): Promise<void> {
    const user = await this.users.findOne<Pick<User, 'services'>>(
      { _id: userId },
      { 'services.resume.loginTokens': 1 },
    );
    const matching = (user?.services?.resume?.loginTokens ?? []).filter(
      (token) => token.hashedToken === hashedToken,
    );
    for (const token of matching) {
      await this.users.updateOne(
        { _id: userId },
        { $pull: { 'services.resume.loginTokens': token } },
      );
    }
    this.forget(userId);
  }

  async findPublicById(userId: string): Promise<PublicUser | null> {
    return this.users.findById<PublicUser>(userId, PUBLIC_FIELDS);
  }

  /** The user with this username and `role`, public fields only; null otherwise. */
  async findPublicWithRole(username: string, role: string): Promise<PublicUser | null> {
    return this.users.findOne<PublicUser>(
      { username, roles: role },
      { _id: 1, username: 1, name: 1, emails: 1 },
    );
  }

  async existsByUsername(username: string): Promise<boolean> {
    return this.users.exists({ username });
  }

  /**
   * Creates a user; username (regardless of case) and e-mail must both be free, else 400
   * `error-field-unavailable`. Both are reserved (IdentityReservations) before the user is
   * inserted, which holds across instances.
   */
  async create(input: NewUser): Promise<PublicUser> {
    const email = input.email.toLowerCase();
    const userId = randomId();
    const keys = identityKeys({ username: input.username, emails: [{ address: email }] });
    // Users written without a reservation (straight into the database) are refused too.
    await this.assertIdentityFree(input.username, email);
    const taken = await this.reservations.reserve(userId, keys);
    if (taken) throw fieldUnavailable(taken.startsWith('email:') ? email : input.username);
    let created: User;
    try {
      created = await this.users.insert({
        _id: userId,
        username: input.username,
        name: input.name ?? input.username,
        emails: [{ address: email, verified: false }],
        roles: input.roles?.length ? [...new Set(input.roles)] : ['user'],
        active: input.active ?? true,
        services: {
          password: { bcrypt: await hashPasswordDigest(input.passwordDigest) },
          resume: { loginTokens: [] },
        },
      });
    } catch (error) {
      await this.reservations.release(userId, keys);
      // The unique index on `username` (a user written without a reservation).
      if ((error as { code?: number }).code === DUPLICATE_KEY)
        throw fieldUnavailable(input.username);
      throw error;
    }
    const lost = await this.reservations.confirm(userId, keys);
    if (lost) {
      // Another create took a key while this one's reservation looked abandoned.
      await this.users.deleteById(userId);
      await this.reservations.release(userId, keys);
      throw fieldUnavailable(lost.startsWith('email:') ? email : input.username);
    }
    return {
      _id: created._id,
      username: created.username,
      name: created.name,
      emails: created.emails.map(({ address, verified }) => ({ address, verified })),
      roles: created.roles,
      active: created.active,
      status: created.status,
      statusLivechat: created.statusLivechat,
    };
  }

  private async assertIdentityFree(username: string, email: string): Promise<void> {
    const taken = await this.users.findOne<Pick<User, 'username'>>(
      {
        $or: [
          { username: { $regex: `^${escapeRegExp(username)}$`, $options: 'i' } },
          { 'emails.address': email },
        ],
      },
      { username: 1 },
    );
    if (taken) {
      throw fieldUnavailable(
        taken.username.toLowerCase() === username.toLowerCase() ? username : email,
      );
    }
  }

  /**
   * The user named by Rocket.Chat's `userId` / `username` / `user` parameters (a username in
   * any case); 400 as Rocket.Chat's getUserFromParams.
   */
  async findByParams(params: {
    userId?: string;
    username?: string;
    user?: string;
  }): Promise<UserInLifecycle> {
    const username = params.username?.trim() ? params.username : params.user;
    let userId = params.userId?.trim() ? params.userId : undefined;
    if (!userId && !username?.trim()) {
      throw ApiError.badRequest(
        'error-user-param-not-provided',
        'The required "userId" or "username" param was not provided',
      );
    }
    if (!userId && username) {
      userId =
        (await this.reservations.holderOf(`username:${username.toLowerCase()}`)) ??
        // A user written without a reservation (straight into the database).
        (
          await this.users.findOne<{ _id: string }>(
            { username: { $regex: `^${escapeRegExp(username)}$`, $options: 'i' } },
            { _id: 1 },
          )
        )?._id;
    }
    const user = userId
      ? await this.users.findOne<UserInLifecycle>({ _id: userId }, { username: 1, roles: 1 })
      : null;
    // A reservation may outlive its user for a moment (a delete releases afterwards).
    if (
      !user ||
      (!params.userId?.trim() && user.username.toLowerCase() !== username?.toLowerCase())
    ) {
      throw ApiError.badRequest(
        'error-invalid-user',
        'The required "userId" or "username" param provided does not match any users',
      );
    }
    return { _id: user._id, username: user.username, roles: user.roles ?? [] };
  }

  /**
   * Deletes a user, as Rocket.Chat's deleteUser: what other features keep about the user
   * goes first (an agent's assignments, a monitor's units), then the user, then its
   * reservations. Each step can run again, so a failed delete is finished by retrying it.
   */
  async delete(user: UserInLifecycle, actor: Actor): Promise<void> {
    const identity = await this.users.findOne<Pick<User, 'username' | 'emails'>>(
      { _id: user._id },
      { username: 1, emails: 1 },
    );
    await this.lifecycle.beforeDelete(user, actor);
    await this.users.deleteById(user._id);
    this.forget(user._id);
    if (identity) await this.reservations.release(user._id, identityKeys(identity));
  }

  /**
   * Activates or deactivates a user, as Rocket.Chat's setUserActiveStatus: a deactivated user
   * loses its login tokens, and the last active admin cannot be deactivated. Returns the
   * stored `active`; 400 `error-invalid-user` when there is no such user.
   */
  async setActive(userId: string, active: boolean, actor: Actor): Promise<boolean> {
    const user = await this.users.updateAndGetBefore<
      Pick<User, '_id' | 'username' | 'roles' | 'active'>
    >({ _id: userId }, { $set: { active } });
    this.forget(userId);
    if (!user) throw ApiError.badRequest('error-invalid-user', 'User not found');
    if (active) return true;
    const roles = user.roles ?? [];
    const wasActive = user.active !== false;
    if (
      wasActive &&
      roles.includes('admin') &&
      !(await this.users.exists({ roles: 'admin', active: { $ne: false } }))
    ) {
      // Two admins deactivated at once both see none left: both are undone.
      await this.users.updateOne({ _id: userId }, { $set: { active: true } });
      this.forget(userId);
      throw ApiError.badRequest(
        'error-action-not-allowed',
        'Leaving the app without an active admin is not allowed',
      );
    }
    // After `active: false`, so that a login racing this cannot keep a token (addLoginToken).
    await this.users.updateOne({ _id: userId }, { $set: { 'services.resume.loginTokens': [] } });
    this.forget(userId);
    await this.lifecycle.afterDeactivate({ _id: user._id, username: user.username, roles }, actor);
    return false;
  }

  /** Rocket.Chat's users.setStatus: the presence and/or the status message. */
  async setPresence(
    userId: string,
    change: { status?: UserStatus; message?: string },
  ): Promise<void> {
    const set: Record<string, string> = {};
    if (change.message !== undefined)
      set.statusText = change.message.trim().slice(0, STATUS_TEXT_MAX);
    if (change.status !== undefined) {
      set.status = change.status;
      set.statusDefault = change.status;
    }
    const matched = await this.users.updateOne({ _id: userId }, { $set: set });
    if (matched === 0) throw ApiError.badRequest('error-invalid-user', 'Invalid user');
  }

  /** Adds a role to the user with this username; null when there is no such user. */
  async addRoleByUsername(
    username: string,
    role: string,
  ): Promise<{ _id: string; username: string } | null> {
    const user = await this.identityOf(username);
    if (!user) return null;
    await this.users.updateOne({ _id: user._id }, { $addToSet: { roles: role } });
    this.forget(user._id);
    return user;
  }

  /** Removes a role from the user with this username; null when there is no such user. */
  async removeRoleByUsername(
    username: string,
    role: string,
  ): Promise<{ _id: string; username: string } | null> {
    const user = await this.identityOf(username);
    if (!user) return null;
    await this.removeRole(user._id, role);
    return user;
  }

  private identityOf(username: string): Promise<{ _id: string; username: string } | null> {
    return this.users.findOne<{ _id: string; username: string }>(
      { username },
      { _id: 1, username: 1 },
    );
  }

  /** Removes a role; returns false when the user does not exist. */
  async removeRole(userId: string, role: string): Promise<boolean> {
    const matched = await this.users.updateOne({ _id: userId }, { $pull: { roles: role } });
    this.forget(userId);
    return matched > 0;
  }

  /**
   * Active users whose username or name starts with `term` (any case), by username, at most
   * 10: what a picker offers while an admin types.
   */
  async autocomplete(
    term: string,
    exceptUsernames: string[],
  ): Promise<Pick<User, '_id' | 'username' | 'name' | 'status'>[]> {
    const filter: QueryFilter<User> = { active: { $ne: false } };
    if (term) {
      const pattern = { $regex: `^${escapeRegExp(term)}`, $options: 'i' };
      filter.$or = [{ username: pattern }, { name: pattern }];
    }
    if (exceptUsernames.length) filter.username = { $nin: exceptUsernames };
    return this.users.find<Pick<User, '_id' | 'username' | 'name' | 'status'>>(
      filter,
      { _id: 1, username: 1, name: 1, status: 1 },
      { sort: { username: 1 }, limit: 10 },
    );
  }

  async listByRole(
    role: string,
    text: string | undefined,
    page: Page,
  ): Promise<{ users: PublicUser[]; total: number }> {
    const filter: QueryFilter<User> = { roles: role };
    if (text) {
      const pattern = { $regex: escapeRegExp(text), $options: 'i' };
      // Rocket.Chat's agent, manager and monitor lists match e-mail addresses too.
      filter.$or = [{ username: pattern }, { name: pattern }, { 'emails.address': pattern }];
    }
    const { items, total } = await this.users.page<PublicUser>(filter, page, {
      _id: 1,
      username: 1,
      name: 1,
      status: 1,
      statusLivechat: 1,
      emails: 1,
    });
    return { users: items, total };
  }

  async setLivechatStatus(userId: string, status: LivechatStatus): Promise<boolean> {
    return (await this.users.updateOne({ _id: userId }, { $set: { statusLivechat: status } })) > 0;
  }

  /** The users among `ids` that hold `role`, with their usernames. */
  async findWithRole(ids: string[], role: string): Promise<{ _id: string; username: string }[]> {
    if (ids.length === 0) return [];
    if (ids.length > BY_ID_LOOKUPS_MAX) {
      return this.users.find<{ _id: string; username: string }>(
        { _id: { $in: ids }, roles: role },
        { _id: 1, username: 1 },
      );
    }
    // FerretDB finds a document by `_id` through its primary key, but scans the whole
    // collection for `$in`: for a few ids, one lookup each is far cheaper (bench S3: 3x).
    // Straight through the driver (the role is checked here, as `roles: role` would match).
    const found = await Promise.all(
      ids.map((id) =>
        this.users.findById<Pick<User, '_id' | 'username' | 'roles'>>(id, {
          username: 1,
          roles: 1,
        }),
      ),
    );
    return found.flatMap((user) =>
      user && holdsRole(user.roles, role) ? [{ _id: user._id, username: user.username }] : [],
    );
  }

  /** The ids among `ids` of active agents who are available for chats. */
  async findAvailableAgentIds(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const users = await this.users.findDirect<{ _id: string }>(
      {
        _id: { $in: ids },
        roles: 'livechat-agent',
        active: { $ne: false },
        statusLivechat: 'available',
      },
      { _id: 1 },
    );
    return new Set(users.map((user) => user._id));
  }
}
