/** The roles a user can hold (API.md §3). */
export const USER_ROLES = [
  'admin',
  'livechat-manager',
  'livechat-monitor',
  'livechat-agent',
  'user',
] as const;

/** Default roles of each permission (API.md §3), seeded where missing. */
export const DEFAULT_PERMISSIONS = {
  'view-livechat-departments': ['admin', 'livechat-manager', 'livechat-monitor'],
  'manage-livechat-departments': ['admin', 'livechat-manager', 'livechat-monitor'],
  'add-livechat-department-agents': ['admin', 'livechat-manager', 'livechat-monitor'],
  'remove-livechat-department': ['admin', 'livechat-manager'],
  'view-l-room': ['admin', 'livechat-manager', 'livechat-monitor', 'livechat-agent'],
  'manage-livechat-agents': ['admin', 'livechat-manager'],
  'manage-livechat-managers': ['admin'],
  'view-livechat-manager': ['admin', 'livechat-manager', 'livechat-monitor'],
  'create-user': ['admin'],
  'access-permissions': ['admin'],
  'edit-privileged-setting': ['admin'],
  'view-livechat-business-hours': ['admin', 'livechat-manager'],
  'manage-livechat-business-hours': ['admin', 'livechat-manager'],
} as const satisfies Record<string, readonly (typeof USER_ROLES)[number][]>;

export type PermissionId = keyof typeof DEFAULT_PERMISSIONS;

export const SETTING_DEPARTMENT_REMOVAL = 'Omnichannel_enable_department_removal';
export const SETTING_ROUTING_METHOD = 'Livechat_Routing_Method';

/**
 * Settings that some non-admins may read (GET settings/:_id), beyond `edit-privileged-setting`:
 * whoever may ask for a department delete needs to know whether removal is on, so that a client
 * does not offer what will be refused. Writing them still needs `edit-privileged-setting`.
 */
export const SETTING_EXTRA_READERS: Readonly<Record<string, readonly PermissionId[]>> = {
  [SETTING_DEPARTMENT_REMOVAL]: ['manage-livechat-departments', 'remove-livechat-department'],
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
} as const;

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

/** The known settings, with their validator. */
export const SETTING_VALIDATORS: Readonly<Record<string, Validator>> = {
  [SETTING_DEPARTMENT_REMOVAL]: isBoolean,
  [SETTING_ROUTING_METHOD]: oneOf(ROUTING_METHODS),
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
};

/**
 * Defaults seeded at start where a setting is missing: Rocket.Chat's, except
 * `Livechat_enabled`, true here because this service exists to serve the widget.
 * (`Omnichannel_enable_department_removal` and `Accounts_LoginExpiration` come from configuration.)
 */
export const SETTING_DEFAULTS: Readonly<Record<string, unknown>> = {
  [SETTING_ROUTING_METHOD]: 'Auto_Selection',
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
};
