import { Inject, Injectable, OnApplicationBootstrap, Logger } from '@nestjs/common';
import { ApiError, UnauthenticatedError } from '../common/api-error';
import { RateLimiter } from '../common/rate-limiter';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { SETTING_LOGIN_EXPIRATION_DAYS } from '../settings/setting-definitions';
import { SettingsService } from '../settings/settings.service';
import {
  hashLoginToken,
  newLoginToken,
  passwordDigest,
  verifyPasswordDigest,
} from '../users/credentials';
import { PublicUser, UsersService } from '../users/users.service';
import { FailedLogins } from './failed-logins';
import { LoginDto } from './login.dto';
import { MeDetails, MeExtras } from './me-details';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A bcrypt hash (cost 10) of a random secret: compared against when the user is unknown. */
const UNKNOWN_USER_HASH = '$2b$10$CwTycUXWue0Thq9StjUM0uJ8Uy2nNEbZ4x5QvPyQm8M4kYzRZpVJK';

export interface MeView extends PublicUser, MeExtras {
  email?: string;
}

@Injectable()
export class AuthService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    private readonly users: UsersService,
    private readonly rateLimiter: RateLimiter,
    private readonly failedLogins: FailedLogins,
    private readonly settings: SettingsService,
    private readonly details: MeDetails,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Creates the bootstrap admin from ADMIN_USERNAME/ADMIN_PASS when that user does not exist. */
  async onApplicationBootstrap(): Promise<void> {
    const admin = this.config.admin;
    if (!admin || (await this.users.existsByUsername(admin.username))) return;
    try {
      await this.users.create({
        username: admin.username,
        email: admin.email ?? `${admin.username}@localhost`,
        passwordDigest: passwordDigest(admin.password),
        name: admin.name ?? admin.username,
        roles: ['admin'],
      });
      this.logger.log(`Created the admin user "${admin.username}"`);
    } catch (error) {
      // Another instance created it first.
      if (!(error instanceof ApiError && error.errorType === 'error-field-unavailable'))
        throw error;
    }
  }

  async login(
    body: LoginDto,
    ip: string,
  ): Promise<{ status: 'success'; data: { userId: string; authToken: string; me: MeView } }> {
    const login = body.user ?? body.username ?? body.email;
    if (login === undefined) throw ApiError.invalidParams('user must be a non-empty string');
    // Every attempt costs a bcrypt comparison: a flood guard per address, successes included.
    this.rateLimiter.consume(`login-ip:${ip}`, this.config.rateLimit.loginPerMinute);

    const digest =
      typeof body.password === 'string'
        ? passwordDigest(body.password)
        : body.password.digest.toLowerCase();
    const account = await this.users.findForLogin(login);
    // Per account, so a username and an e-mail address share one count.
    const accountKey = account?._id ?? login.toLowerCase();
    await this.failedLogins.assertAllowed(accountKey, ip);
    // The same answer, in about the same time, for an unknown user, a wrong password and
    // a deactivated account: bcrypt runs in every case.
    const matches = await verifyPasswordDigest(digest, account?.bcrypt ?? UNKNOWN_USER_HASH);
    if (!account?.bcrypt || !account.active || !matches) {
      await this.failedLogins.recordFailure(accountKey, ip);
      throw new UnauthenticatedError('login-failed');
    }
    this.failedLogins.recordSuccess(accountKey, ip);

    const authToken = newLoginToken();
    const issued = await this.users.addLoginToken(account._id, hashLoginToken(authToken), {
      maxAgeMs: await this.tokenLifetimeMs(),
      maxTokens: this.config.maxLoginTokensPerUser,
    });
    // Deactivated while this login ran.
    if (!issued) throw new UnauthenticatedError('login-failed');
    const me = await this.me(account._id);
    return { status: 'success', data: { userId: account._id, authToken, me } };
  }

  /** How long a login token is valid: the `Accounts_LoginExpiration` setting, in days. */
  async tokenLifetimeMs(): Promise<number> {
    return Number(await this.settings.value(SETTING_LOGIN_EXPIRATION_DAYS)) * DAY_MS;
  }

  async logout(userId: string, hashedToken: string): Promise<void> {
    await this.users.removeLoginToken(userId, hashedToken);
  }

  async me(userId: string): Promise<MeView> {
    const user = await this.users.findPublicById(userId);
    if (!user) throw new UnauthenticatedError('missing-or-invalid-token');
    return { ...user, email: user.emails?.[0]?.address, ...(await this.details.of(user)) };
  }
}
