import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { ApiError } from '../common/api-error';
import { RefreshingValue } from '../common/refreshing-value';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import {
  RoutingMethod,
  SECRET_BOUND_TO,
  SECRET_SETTINGS,
  SETTING_DEFAULTS,
  SETTING_DEPARTMENT_REMOVAL,
  SETTING_LOGIN_EXPIRATION_DAYS,
  SETTING_NORMALIZERS,
  SETTING_ROUTING_METHOD,
  SETTING_VALIDATORS,
} from './setting-definitions';

/** Setting id → the secrets forgotten when it changes (the inverse of SECRET_BOUND_TO). */
const SECRETS_BOUND_BY = new Map<string, string[]>();
for (const [secret, ids] of Object.entries(SECRET_BOUND_TO)) {
  for (const id of ids) SECRETS_BOUND_BY.set(id, [...(SECRETS_BOUND_BY.get(id) ?? []), secret]);
}

function normalize(id: string, value: unknown): unknown {
  return Object.hasOwn(SETTING_NORMALIZERS, id) ? SETTING_NORMALIZERS[id](value) : value;
}
import { SettingsRepository } from './settings.repository';

const SETTINGS_TTL_MS = 5_000;

export interface SettingView {
  _id: string;
  value: unknown;
  /** Secret settings only: whether a value is stored (the value itself is never shown). */
  isSet?: boolean;
}

export type SettingsListener = (id: string) => void | Promise<void>;

@Injectable()
export class SettingsService implements OnModuleInit {
  private readonly values = new RefreshingValue(
    () => this.settings.read(Object.keys(SETTING_VALIDATORS)),
    SETTINGS_TTL_MS,
  );
  private readonly listeners = new Set<SettingsListener>();

  constructor(
    private readonly settings: SettingsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Seeds missing settings with their defaults (configuration may override them). */
  async onModuleInit(): Promise<void> {
    const defaults: Record<string, unknown> = {
      ...SETTING_DEFAULTS,
      [SETTING_DEPARTMENT_REMOVAL]: this.config.departmentRemovalEnabled,
      [SETTING_LOGIN_EXPIRATION_DAYS]: this.config.loginExpirationDays,
    };
    await this.settings.insertMissing(defaults);
  }

  /** What `GET settings/:_id` shows: a secret's value never leaves the service. */
  async get(id: string): Promise<SettingView> {
    this.assertKnown(id);
    return this.view(id, (await this.values.get()).get(id));
  }

  /** Input validation of a known setting's value (unknown ids are a business rule, left to set()). */
  validateValue(id: string, value: unknown): void {
    const problem = Object.hasOwn(SETTING_VALIDATORS, id)
      ? SETTING_VALIDATORS[id](normalize(id, value))
      : null;
    if (problem) throw ApiError.invalidParams(`value ${problem}`);
  }

  /**
   * Stores the value in its normal form; a change of where a secret goes (SMTP host, port,
   * protocol, user) forgets that secret in the same step.
   */
  async set(id: string, input: unknown): Promise<SettingView> {
    this.assertKnown(id);
    this.validateValue(id, input);
    const value = normalize(id, input);
    const secrets = SECRETS_BOUND_BY.get(id) ?? [];
    const forgotten =
      secrets.length > 0 && (await this.readFresh([id])).get(id) !== value ? secrets : [];
    await this.settings.write([[id, value], ...forgotten.map((secret) => [secret, ''] as const)]);
    this.values.invalidate();
    // Awaited: a listener may tell other instances (the widget's version) before this answers.
    await Promise.all(
      [id, ...forgotten].flatMap((changed) =>
        [...this.listeners].map((listener) => listener(changed)),
      ),
    );
    return this.view(id, value);
  }

  /** Secrets answer `value: ''` and whether one is stored, so a form can say "set" without showing it. */
  private view(id: string, value: unknown): SettingView {
    if (!SECRET_SETTINGS.has(id)) return { _id: id, value };
    return { _id: id, value: '', isSet: typeof value === 'string' && value !== '' };
  }

  /**
   * Calls `listener` after every change made through this instance (other modules keep
   * derived caches; settings know nothing of them), and waits for it before the change is
   * acknowledged. Listeners handle their own failures. Returns the unsubscribe function.
   */
  onChange(listener: SettingsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The current values of `ids`, read from the database now (not the 5 s cache), with
   * the default where a setting is missing: for caches that promise other instances'
   * changes within a bound of their own.
   */
  async readFresh(ids: readonly string[]): Promise<Map<string, unknown>> {
    const stored = await this.settings.read(ids);
    return new Map(ids.map((id) => [id, stored.has(id) ? stored.get(id) : SETTING_DEFAULTS[id]]));
  }

  /** A cached value (5 s across instances), or its default when missing. */
  async value(id: string): Promise<unknown> {
    const values = await this.values.get();
    return values.has(id) ? values.get(id) : SETTING_DEFAULTS[id];
  }

  async isDepartmentRemovalEnabled(): Promise<boolean> {
    return (await this.values.get()).get(SETTING_DEPARTMENT_REMOVAL) === true;
  }

  async routingMethod(): Promise<RoutingMethod> {
    const value = (await this.values.get()).get(SETTING_ROUTING_METHOD);
    return value === 'Manual_Selection' ? 'Manual_Selection' : 'Auto_Selection';
  }

  private assertKnown(id: string): void {
    if (!Object.hasOwn(SETTING_VALIDATORS, id)) {
      throw ApiError.badRequest('error-invalid-setting', `Invalid setting: ${id}`);
    }
  }
}
