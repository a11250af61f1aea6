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
} as const satisfies Record<string, readonly (typeof USER_ROLES)[number][]>;

export type PermissionId = keyof typeof DEFAULT_PERMISSIONS;

export const SETTING_DEPARTMENT_REMOVAL = 'Omnichannel_enable_department_removal';
export const SETTING_ROUTING_METHOD = 'Livechat_Routing_Method';
export const ROUTING_METHODS = ['Auto_Selection', 'Manual_Selection'] as const;
export type RoutingMethod = (typeof ROUTING_METHODS)[number];

/** The known settings, with their validator. Defaults come from configuration. */
export const SETTING_VALIDATORS: Readonly<Record<string, (value: unknown) => string | null>> = {
  [SETTING_DEPARTMENT_REMOVAL]: (value) =>
    typeof value === 'boolean' ? null : 'must be a boolean',
  [SETTING_ROUTING_METHOD]: (value) =>
    typeof value === 'string' && (ROUTING_METHODS as readonly string[]).includes(value)
      ? null
      : `must be one of ${ROUTING_METHODS.join(', ')}`,
};
