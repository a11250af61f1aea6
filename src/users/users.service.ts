import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, QueryFilter } from 'mongoose';
import { ApiError } from '../common/api-error';
import { KeyedLock } from '../common/keyed-lock';
import { DatabaseCircuit } from '../database/database-circuit';
import { escapeRegExp, findPage, Page } from '../common/pagination';
import { hashPasswordDigest, sameHash } from './credentials';
import { LivechatStatus, LoginToken, User } from './user.schema';

/** What the rest of the service knows about the caller of a request. */
export interface AuthenticatedUser {
  _id: string;
  username: string;
  roles: string[];
}

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

@Injectable()
export class UsersService {
  private readonly authCache = new Map<string, CachedCredentials>();
  /** Serialises username/e-mail uniqueness checks (FerretDB does not enforce `emails.address`). */
  private readonly identityLock = new KeyedLock();

  constructor(
    @InjectModel(User.name) private readonly users: Model<User>,
    private readonly circuit: DatabaseCircuit,
  ) {}

  /**
   * The user holding this login token, or null. The token must be younger than
   * `maxAgeMs` and the user active. Hashes are compared in constant time.
   */
  async authenticate(
    userId: string,
    hashedToken: string,
    maxAgeMs: number,
  ): Promise<AuthenticatedUser | null> {
    const credentials = await this.credentials(userId);
    if (!credentials) return null;
    const oldest = Date.now() - maxAgeMs;
    const valid = credentials.tokens.some(
      (token) =>
        typeof token.hashedToken === 'string' &&
        sameHash(token.hashedToken, hashedToken) &&
        new Date(token.when).getTime() > oldest,
    );
    return valid ? credentials.user : null;
  }

  private async credentials(userId: string): Promise<CachedCredentials | null> {
    const cached = this.authCache.get(userId);
    if (cached && cached.expiresAt > Date.now()) return cached;
    const doc = await this.users
      .findOne(
        { _id: userId, active: { $ne: false } },
        { username: 1, roles: 1, 'services.resume.loginTokens': 1 },
      )
      .lean<Pick<User, '_id' | 'username' | 'roles' | 'services'>>();
    this.authCache.delete(userId);
    if (!doc) return null;
    if (this.authCache.size >= AUTH_CACHE_MAX_ENTRIES) {
      // Maps iterate in insertion order: drop the oldest entry.
      const oldest = this.authCache.keys().next();
      if (!oldest.done) this.authCache.delete(oldest.value);
    }
    const entry: CachedCredentials = {
      user: { _id: doc._id, username: doc.username, roles: doc.roles ?? [] },
      tokens: doc.services?.resume?.loginTokens ?? [],
      expiresAt: Date.now() + AUTH_CACHE_TTL_MS,
    };
    this.authCache.set(userId, entry);
    return entry;
  }

  private forget(userId: string): void {
    this.authCache.delete(userId);
  }

  /** Looks a user up by username, or by e-mail address when `login` contains `@`. */
  async findForLogin(
    login: string,
  ): Promise<{ _id: string; bcrypt?: string; active: boolean } | null> {
    const filter: QueryFilter<User> = login.includes('@')
      ? { 'emails.address': login.toLowerCase() }
      : { username: login };
    const doc = await this.users
      .findOne(filter, { active: 1, 'services.password.bcrypt': 1 })
      .lean<Pick<User, '_id' | 'active' | 'services'>>();
    if (!doc) return null;
    return { _id: doc._id, bcrypt: doc.services?.password?.bcrypt, active: doc.active !== false };
  }

  /**
   * Adds a login token, then prunes the user's tokens: those older than `maxAgeMs`, and the
   * oldest beyond `maxTokens`. Stored elements are pulled by exact value (`$pullAll`), so a
   * token another login adds meanwhile is never lost, and FerretDB, which ignores `$pull`
   * with a condition, prunes too.
   */
  async addLoginToken(
    userId: string,
    hashedToken: string,
    limits: { maxAgeMs: number; maxTokens: number },
  ): Promise<void> {
    await this.users.updateOne(
      { _id: userId },
      { $push: { 'services.resume.loginTokens': { when: new Date(), hashedToken } } },
    );
    const user = await this.users
      .findOne({ _id: userId }, { 'services.resume.loginTokens': 1 })
      .lean<Pick<User, 'services'>>();
    const tokens = user?.services?.resume?.loginTokens ?? [];
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
    }
    this.forget(userId);
  }

  /**
   * Removes one login token. The stored element is pulled by exact value: FerretDB
   * silently ignores `$pull` with a condition.
   */
  async removeLoginToken(userId: string, hashedToken: string): Promise<void> {
    const user = await this.users
      .findOne({ _id: userId }, { 'services.resume.loginTokens': 1 })
      .lean<Pick<User, 'services'>>();
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
    return this.circuit.findById<PublicUser>(this.users, userId, PUBLIC_FIELDS);
  }

  /** The user with this username and `role`, public fields only; null otherwise. */
  async findPublicWithRole(username: string, role: string): Promise<PublicUser | null> {
    return this.users
      .findOne({ username, roles: role }, { _id: 1, username: 1, name: 1, emails: 1 })
      .lean<PublicUser>();
  }

  async existsByUsername(username: string): Promise<boolean> {
    return (await this.users.exists({ username })) !== null;
  }

  /** Creates a user; username and e-mail must both be free (400 `error-field-unavailable`). */
  async create(input: NewUser): Promise<PublicUser> {
    const email = input.email.toLowerCase();
    return this.identityLock.run('identities', async () => {
      const taken = await this.users
        .findOne(
          {
            $or: [
              // Usernames are unique regardless of case, as in Rocket.Chat.
              { username: { $regex: `^${escapeRegExp(input.username)}$`, $options: 'i' } },
              { 'emails.address': email },
            ],
          },
          { username: 1 },
        )
        .lean<Pick<User, 'username'>>();
      if (taken) {
        const field =
          taken.username.toLowerCase() === input.username.toLowerCase() ? input.username : email;
        throw ApiError.badRequest('error-field-unavailable', `${field} is already in use :(`);
      }
      const created = await this.users.create({
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
    });
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
    return this.users
      .findOne({ username }, { _id: 1, username: 1 })
      .lean<{ _id: string; username: string }>();
  }

  /** Removes a role; returns false when the user does not exist. */
  async removeRole(userId: string, role: string): Promise<boolean> {
    const result = await this.users.updateOne({ _id: userId }, { $pull: { roles: role } });
    this.forget(userId);
    return result.matchedCount > 0;
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
    return this.users
      .find(filter, { _id: 1, username: 1, name: 1, status: 1 })
      .sort({ username: 1 })
      .limit(10)
      .lean<Pick<User, '_id' | 'username' | 'name' | 'status'>[]>();
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
    const { items, total } = await findPage<User, PublicUser>(this.users, filter, page, {
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
    const result = await this.users.updateOne(
      { _id: userId },
      { $set: { statusLivechat: status } },
    );
    return result.matchedCount > 0;
  }

  /** The users among `ids` that hold `role`, with their usernames. */
  async findWithRole(ids: string[], role: string): Promise<{ _id: string; username: string }[]> {
    if (ids.length === 0) return [];
    if (ids.length > BY_ID_LOOKUPS_MAX) {
      return this.users
        .find({ _id: { $in: ids }, roles: role }, { _id: 1, username: 1 })
        .lean<{ _id: string; username: string }[]>();
    }
    // FerretDB finds a document by `_id` through its primary key, but scans the whole
    // collection for `$in`: for a few ids, one lookup each is far cheaper (bench S3: 3x).
    // Straight through the driver (the role is checked here, as `roles: role` would match).
    const found = await Promise.all(
      ids.map((id) =>
        this.circuit.findById<Pick<User, '_id' | 'username' | 'roles'>>(this.users, id, {
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
    const users = await this.circuit.find<{ _id: string }>(
      this.users,
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
