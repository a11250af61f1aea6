// Who is limited to the departments of their units (docs/api.md §14): a monitor, unless it
// also holds a role that is never limited. The API enforces the scope; the console follows it
// so it does not offer what would be refused.

const UNLIMITED_ROLES = ['admin', 'livechat-manager'];

export function isUnitScoped(roles: readonly string[]): boolean {
  return (
    roles.includes('livechat-monitor') && !roles.some((role) => UNLIMITED_ROLES.includes(role))
  );
}
