import type { PermissionId } from '../permissions/defaults';

/**
 * The settings this service knows (Rocket.Chat's ids), their defaults, validators and
 * normal forms, and who may read the few that non-admins may (SETTING_EXTRA_READERS).
 */

export const SETTING_DEPARTMENT_REMOVAL = 'Omnichannel_enable_department_removal';
export const SETTING_ROUTING_METHOD = 'Livechat_Routing_Method';
/** Days a deleted department stays restorable (our extension, API.md §16). */
export const SETTING_DEPARTMENT_RESTORE_DAYS = 'Omnichannel_department_restore_days';

/**
 * Settings that some non-admins may read (GET settings/:_id), beyond `edit-privileged-setting`:
 * whoever may ask for a department delete needs to know whether removal is on, so that a client
 * does not offer what will be refused. Writing them still needs `edit-privileged-setting`.
 */
export const SETTING_EXTRA_READERS: Readonly<Record<string, readonly PermissionId[]>> = {
  [SETTING_DEPARTMENT_REMOVAL]: ['manage-livechat-departments', 'remove-livechat-department'],
  // The recently deleted list says for how long a deleted department can be restored.
  [SETTING_DEPARTMENT_RESTORE_DAYS]: ['view-livechat-departments'],
};
export const ROUTING_METHODS = ['Auto_Selection', 'Manual_Selection'] as const;
export type RoutingMethod = (typeof ROUTING_METHODS)[number];

export const BUSINESS_HOUR_TYPES = ['Single', 'Multiple'] as const;
export type BusinessHourType = (typeof BUSINESS_HOUR_TYPES)[number];

/** What the Live Chat widget reads (`GET livechat/config`), with Rocket.Chat's ids. */
export const WIDGET_SETTINGS = {
  enabled: 'Livechat_enabled',
  registrationForm: 'Livechat_registration_form',
  nameFieldRegistrationForm: 'Livechat_name_field_registration_form',
  emailFieldRegistrationForm: 'Livechat_email_field_registration_form',
  displayOfflineForm: 'Livechat_display_offline_form',
  title: 'Livechat_title',
  titleColor: 'Livechat_title_color',
  offlineTitle: 'Livechat_offline_title',
  offlineMessage: 'Livechat_offline_message',
  offlineSuccessMessage: 'Livechat_offline_success_message',
  /** The offline form's header colour (the widget's `theme.offlineColor`). */
  offlineTitleColor: 'Livechat_offline_title_color',
  /** Shown instead of the form when `Livechat_display_offline_form` is false. */
  offlineUnavailableMessage: 'Livechat_offline_form_unavailable',
} as const;

/** Where offline messages go, and how (Rocket.Chat's ids). */
export const MAIL_SETTINGS = {
  protocol: 'SMTP_Protocol',
  host: 'SMTP_Host',
  port: 'SMTP_Port',
  ignoreTls: 'SMTP_IgnoreTLS',
  /** Our opt-in: AUTH may go over a connection without TLS (never by default). */
  allowCleartextAuth: 'SMTP_AllowCleartextAuth',
  username: 'SMTP_Username',
  password: 'SMTP_Password',
  from: 'From_Email',
  offlineEmail: 'Livechat_offline_email',
} as const;

/** Who may embed the widget and call the API from a browser (Rocket.Chat's ids). */
export const ORIGIN_SETTINGS = {
  livechatAllowedDomains: 'Livechat_AllowedDomainsList',
  apiCorsEnabled: 'API_Enable_CORS',
  apiCorsOrigin: 'API_CORS_Origin',
} as const;

/** Settings whose value is never sent back (GET and POST answer `value: ''` and `isSet`). */
export const SECRET_SETTINGS: ReadonlySet<string> = new Set([MAIL_SETTINGS.password]);

/**
 * A secret is forgotten when a setting that says where it goes changes: a stored SMTP
 * password must never be sent to a host, port, protocol or account it was not typed for.
 */
export const SECRET_BOUND_TO: Readonly<Record<string, readonly string[]>> = {
  [MAIL_SETTINGS.password]: [
    MAIL_SETTINGS.host,
    MAIL_SETTINGS.port,
    MAIL_SETTINGS.protocol,
    MAIL_SETTINGS.username,
  ],
};

export const SETTING_BUSINESS_HOURS_ENABLED = 'Livechat_enable_business_hours';
export const SETTING_BUSINESS_HOUR_TYPE = 'Livechat_business_hour_type';

/** Login tokens older than this many days are refused and pruned (env LOGIN_EXPIRATION_DAYS seeds it). */
export const SETTING_LOGIN_EXPIRATION_DAYS = 'Accounts_LoginExpiration';

/** Failed-login limits, with Rocket.Chat's ids (see auth/failed-logins.ts for what each counts). */
export const FAILED_LOGIN_SETTINGS = {
  enabled: 'Block_Multiple_Failed_Logins_Enabled',
  byUser: 'Block_Multiple_Failed_Logins_By_User',
  byIp: 'Block_Multiple_Failed_Logins_By_Ip',
  attemptsByUser: 'Block_Multiple_Failed_Logins_Attempts_Until_Block_by_User',
  minutesByUser: 'Block_Multiple_Failed_Logins_Time_To_Unblock_By_User_In_Minutes',
  attemptsByIp: 'Block_Multiple_Failed_Logins_Attempts_Until_Block_By_Ip',
  minutesByIp: 'Block_Multiple_Failed_Logins_Time_To_Unblock_By_Ip_In_Minutes',
} as const;

type Validator = (value: unknown) => string | null;

const isBoolean: Validator = (value) => (typeof value === 'boolean' ? null : 'must be a boolean');

const oneOf =
  (choices: readonly string[]): Validator =>
  (value) =>
    typeof value === 'string' && choices.includes(value)
      ? null
      : `must be one of ${choices.join(', ')}`;

const integerBetween =
  (min: number, max: number): Validator =>
  (value) =>
    Number.isInteger(value) && (value as number) >= min && (value as number) <= max
      ? null
      : `must be an integer between ${min} and ${max}`;

const MAX_TEXT_LENGTH = 10_000;
const text: Validator = (value) =>
  typeof value === 'string' && value.length <= MAX_TEXT_LENGTH
    ? null
    : `must be a string of at most ${MAX_TEXT_LENGTH} characters`;

/** A CSS colour the widget can paint with: `#rgb`, `#rrggbb`, `#rrggbbaa`, rgb()/hsl(), or a name. */
const CSS_COLOR =
  /^(#([0-9a-f]{3}|[0-9a-f]{4}|[0-9a-f]{6}|[0-9a-f]{8})|(rgba?|hsla?)\([\d\s.,%/]{1,60}\)|[a-z]{3,30})$/i;
const color: Validator = (value) =>
  typeof value === 'string' && CSS_COLOR.test(value)
    ? null
    : 'must be a CSS colour (#rrggbb, rgb(…), hsl(…) or a colour name)';

/** A single-line text (no CR/LF or other control characters), at most `max` characters. */
const line =
  (max: number): Validator =>
  (value) =>
    // eslint-disable-next-line no-control-regex -- control characters are what is refused
    typeof value === 'string' && value.length <= max && !/[\u0000-\u001f\u007f]/.test(value)
      ? null
      : `must be a single line of at most ${max} characters`;

const EMAIL = /^[^\s@<>(),;:"\\]{1,64}@[a-z0-9-]+(\.[a-z0-9-]+)*$/i;
const emailOrEmpty: Validator = (value) =>
  value === '' || (typeof value === 'string' && value.length <= 254 && EMAIL.test(value))
    ? null
    : 'must be an e-mail address (or empty)';

/**
 * What a display name may not hold: control characters (C0, DEL, C1 such as U+0085, line and
 * paragraph separators) and RFC 5322 specials, which would need quoting and, unquoted, make
 * the From header malformed (`:` ends a group name, `,` separates addresses).
 */
// eslint-disable-next-line no-control-regex -- control characters are what is refused
const UNSAFE_DISPLAY_NAME = /[\u0000-\u001f\u007f-\u009f\u2028\u2029:;,"\\()[\]@<>]/;

/** `From_Email`: `address` or `Name <address>`, as Rocket.Chat accepts it. */
const fromAddress: Validator = (value) => {
  if (value === '') return null;
  const match =
    typeof value === 'string'
      ? /^(?:([^<>\r\n]{0,200})<([^<>]+)>|([^<>]+))$/.exec(value.trim())
      : null;
  const address = match ? (match[2] ?? match[3]).trim() : '';
  if (address.length > 254 || !EMAIL.test(address)) {
    return 'must be an e-mail address or "Name <address>"';
  }
  return match?.[1] !== undefined && UNSAFE_DISPLAY_NAME.test(match[1])
    ? 'must have a display name without control characters or any of : ; , " \\ ( ) [ ] @ < >'
    : null;
};

const portOrEmpty: Validator = (value) =>
  value === '' ||
  (typeof value === 'string' &&
    /^\d{1,5}$/.test(value) &&
    Number(value) >= 1 &&
    Number(value) <= 65535)
    ? null
    : 'must be a port number between 1 and 65535, or empty';

const HOST =
  /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$|^\[[0-9a-f:.]+\]$/i;
const hostOrEmpty: Validator = (value) =>
  value === '' || (typeof value === 'string' && value.length <= 253 && HOST.test(value))
    ? null
    : 'must be a host name or IP address, or empty';

/**
 * One entry of `Livechat_AllowedDomainsList`: a host (`shop.example`, `*.example.com`),
 * optionally with a port, or an origin (`https://shop.example:8443`). Nothing else: the
 * list goes into a CSP header, so `;`, quotes and spaces are refused.
 */
export const ALLOWED_DOMAIN =
  /^(https?:\/\/)?(\*\.)?[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?(:\d{1,5})?$/i;
const ORIGIN = /^https?:\/\/[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?(:\d{1,5})?$/i;

/** Comma-separated entries, each matching `entry`; empty allowed. */
const listOf =
  (entry: RegExp, what: string): Validator =>
  (value) => {
    if (typeof value !== 'string' || value.length > 4000)
      return `must be a comma-separated list of ${what}`;
    const bad = splitList(value).find((item) => !entry.test(item));
    return bad === undefined
      ? null
      : `must be a comma-separated list of ${what}: "${bad.slice(0, 100)}" is not one`;
  };

/** The entries of a comma-separated setting, trimmed, without empty ones. */
export function splitList(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

const corsOrigin: Validator = (value) =>
  value === '*' ? null : listOf(ORIGIN, 'origins (https://host[:port]), or *')(value);

/** The known settings, with their validator. */
export const SETTING_VALIDATORS: Readonly<Record<string, Validator>> = {
  [SETTING_DEPARTMENT_REMOVAL]: isBoolean,
  [SETTING_ROUTING_METHOD]: oneOf(ROUTING_METHODS),
  [SETTING_DEPARTMENT_RESTORE_DAYS]: integerBetween(1, 3650),
  [WIDGET_SETTINGS.enabled]: isBoolean,
  [WIDGET_SETTINGS.registrationForm]: isBoolean,
  [WIDGET_SETTINGS.nameFieldRegistrationForm]: isBoolean,
  [WIDGET_SETTINGS.emailFieldRegistrationForm]: isBoolean,
  [WIDGET_SETTINGS.displayOfflineForm]: isBoolean,
  [WIDGET_SETTINGS.title]: text,
  [WIDGET_SETTINGS.titleColor]: color,
  [WIDGET_SETTINGS.offlineTitle]: text,
  [WIDGET_SETTINGS.offlineMessage]: text,
  [WIDGET_SETTINGS.offlineSuccessMessage]: text,
  [WIDGET_SETTINGS.offlineTitleColor]: color,
  [WIDGET_SETTINGS.offlineUnavailableMessage]: text,
  [SETTING_BUSINESS_HOURS_ENABLED]: isBoolean,
  [SETTING_BUSINESS_HOUR_TYPE]: oneOf(BUSINESS_HOUR_TYPES),
  [SETTING_LOGIN_EXPIRATION_DAYS]: integerBetween(1, 3650),
  [FAILED_LOGIN_SETTINGS.enabled]: isBoolean,
  [FAILED_LOGIN_SETTINGS.byUser]: isBoolean,
  [FAILED_LOGIN_SETTINGS.byIp]: isBoolean,
  [FAILED_LOGIN_SETTINGS.attemptsByUser]: integerBetween(1, 1_000_000),
  [FAILED_LOGIN_SETTINGS.minutesByUser]: integerBetween(1, 10_080),
  [FAILED_LOGIN_SETTINGS.attemptsByIp]: integerBetween(1, 1_000_000),
  [FAILED_LOGIN_SETTINGS.minutesByIp]: integerBetween(1, 10_080),
  [MAIL_SETTINGS.protocol]: oneOf(['smtp', 'smtps']),
  [MAIL_SETTINGS.host]: hostOrEmpty,
  [MAIL_SETTINGS.port]: portOrEmpty,
  [MAIL_SETTINGS.ignoreTls]: isBoolean,
  [MAIL_SETTINGS.allowCleartextAuth]: isBoolean,
  [MAIL_SETTINGS.username]: line(256),
  [MAIL_SETTINGS.password]: line(1024),
  [MAIL_SETTINGS.from]: fromAddress,
  [MAIL_SETTINGS.offlineEmail]: emailOrEmpty,
  [ORIGIN_SETTINGS.livechatAllowedDomains]: listOf(ALLOWED_DOMAIN, 'domains or origins'),
  [ORIGIN_SETTINGS.apiCorsEnabled]: isBoolean,
  [ORIGIN_SETTINGS.apiCorsOrigin]: corsOrigin,
};

/**
 * Defaults seeded at start where a setting is missing: Rocket.Chat's, except
 * `Livechat_enabled`, true here because this service exists to serve the widget.
 * (`Omnichannel_enable_department_removal` and `Accounts_LoginExpiration` come from configuration.)
 */
export const SETTING_DEFAULTS: Readonly<Record<string, unknown>> = {
  [SETTING_ROUTING_METHOD]: 'Auto_Selection',
  [SETTING_DEPARTMENT_RESTORE_DAYS]: 30,
  [WIDGET_SETTINGS.enabled]: true,
  [WIDGET_SETTINGS.registrationForm]: true,
  [WIDGET_SETTINGS.nameFieldRegistrationForm]: true,
  [WIDGET_SETTINGS.emailFieldRegistrationForm]: true,
  [WIDGET_SETTINGS.displayOfflineForm]: true,
  [WIDGET_SETTINGS.title]: 'Rocket.Chat',
  [WIDGET_SETTINGS.titleColor]: '#C1272D',
  [WIDGET_SETTINGS.offlineTitle]: 'Leave a message',
  [WIDGET_SETTINGS.offlineMessage]: '',
  [WIDGET_SETTINGS.offlineSuccessMessage]: '',
  [WIDGET_SETTINGS.offlineTitleColor]: '#666666',
  [WIDGET_SETTINGS.offlineUnavailableMessage]: '',
  [SETTING_BUSINESS_HOURS_ENABLED]: false,
  [SETTING_BUSINESS_HOUR_TYPE]: 'Single',
  [SETTING_LOGIN_EXPIRATION_DAYS]: 90,
  [FAILED_LOGIN_SETTINGS.enabled]: true,
  [FAILED_LOGIN_SETTINGS.byUser]: true,
  [FAILED_LOGIN_SETTINGS.byIp]: true,
  [FAILED_LOGIN_SETTINGS.attemptsByUser]: 10,
  [FAILED_LOGIN_SETTINGS.minutesByUser]: 5,
  [FAILED_LOGIN_SETTINGS.attemptsByIp]: 50,
  [FAILED_LOGIN_SETTINGS.minutesByIp]: 5,
  [MAIL_SETTINGS.protocol]: 'smtp',
  [MAIL_SETTINGS.host]: '',
  [MAIL_SETTINGS.port]: '',
  [MAIL_SETTINGS.ignoreTls]: true,
  [MAIL_SETTINGS.allowCleartextAuth]: false,
  [MAIL_SETTINGS.username]: '',
  [MAIL_SETTINGS.password]: '',
  [MAIL_SETTINGS.from]: '',
  [MAIL_SETTINGS.offlineEmail]: '',
  [ORIGIN_SETTINGS.livechatAllowedDomains]: '',
  [ORIGIN_SETTINGS.apiCorsEnabled]: false,
  [ORIGIN_SETTINGS.apiCorsOrigin]: '*',
};

/** `https://shop.example/` or `shop.example:8080/`: an origin or host with only a `/` after it. */
const TRAILING_SLASH = /^((?:https?:\/\/)?[^/\s]+)\/$/i;

/**
 * Values accepted in another form and stored in the usual one: `SMTP_Port` as a number (what
 * Rocket.Chat's clients send), allowed-domain entries copied from an address bar
 * (`https://shop.example/`: the trailing slash is dropped).
 */
export const SETTING_NORMALIZERS: Readonly<Record<string, (value: unknown) => unknown>> = {
  [MAIL_SETTINGS.port]: (value) =>
    typeof value === 'number' && Number.isInteger(value) ? String(value) : value,
  [ORIGIN_SETTINGS.livechatAllowedDomains]: (value) => {
    if (typeof value !== 'string') return value;
    const entries = splitList(value);
    const normalised = entries.map((entry) => entry.replace(TRAILING_SLASH, '$1'));
    return normalised.some((entry, i) => entry !== entries[i]) ? normalised.join(', ') : value;
  },
};
