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
  'delete-user': ['admin'],
  'edit-other-user-info': ['admin'],
  'edit-other-user-active-status': ['admin'],
  'access-permissions': ['admin'],
  'edit-privileged-setting': ['admin'],
  'view-livechat-business-hours': ['admin', 'livechat-manager'],
  'manage-livechat-business-hours': ['admin', 'livechat-manager'],
  'manage-livechat-units': ['admin', 'livechat-manager'],
  'manage-livechat-monitors': ['admin', 'livechat-manager'],
} as const satisfies Record<string, readonly (typeof USER_ROLES)[number][]>;

export type PermissionId = keyof typeof DEFAULT_PERMISSIONS;
