import { ApiError } from '../../common/api-error';

export const MONITOR_ROLE = 'livechat-monitor';
/** Roles that are never limited to units, whatever else they hold. */
const UNRESTRICTED_ROLES = ['admin', 'livechat-manager'];

/** A department as the scope sees it: the unit it belongs to, if any. */
export type InUnit = { parentId?: string | null } | null | undefined;

/**
 * Which department-linked data a caller may see and change: everything (`unrestricted`:
 * admins, managers, the service's own tasks and the public widget, each named so at the
 * call), or the departments of the units a monitor monitors (`ofUnits`). Never one in no
 * unit, nor data without a department, for a restricted scope.
 *
 * Every repository method that reads or writes department-linked data takes one, so a new
 * endpoint cannot forget it: it has to choose which one to pass.
 */
export class Scope {
  private constructor(private readonly units: readonly string[] | null) {}

  private static readonly everything = new Scope(null);

  /** No restriction: admins, managers, and the service itself. */
  static unrestricted(): Scope {
    return Scope.everything;
  }

  /** The departments of these units only (a monitor's scope). */
  static ofUnits(unitIds: readonly string[]): Scope {
    return new Scope([...new Set(unitIds)]);
  }

  /** Whether a user is a monitor limited to its units (admin and manager never are). */
  static isRestrictedUser(user: { roles: readonly string[] }): boolean {
    return (
      user.roles.includes(MONITOR_ROLE) &&
      !user.roles.some((role) => UNRESTRICTED_ROLES.includes(role))
    );
  }

  get isRestricted(): boolean {
    return this.units !== null;
  }

  /** The units of a restricted scope (empty for an unrestricted one: check `isRestricted`). */
  get unitIds(): readonly string[] {
    return this.units ?? [];
  }

  /**
   * Rocket.Chat's documented reads (the lists, the archived list, GET by id, autocomplete)
   * are unscoped unless the client asks with `onlyMyDepartments=true`.
   */
  whenAsked(onlyMyDepartments: string | undefined): Scope {
    return onlyMyDepartments === 'true' ? this : Scope.unrestricted();
  }

  includes(department: InUnit): boolean {
    return (
      this.units === null || (!!department?.parentId && this.units.includes(department.parentId))
    );
  }

  includesUnit(unitId: string): boolean {
    return this.units === null || this.units.includes(unitId);
  }

  /** 403 unless the department is in this scope. */
  assertIncludes(department: InUnit): void {
    if (!this.includes(department)) throw notAllowed();
  }

  /** The condition on the departments collection that keeps to this scope. */
  departmentCondition(): { parentId?: { $in: string[] } } {
    return this.units === null ? {} : { parentId: { $in: [...this.units] } };
  }
}

export function notAllowed(): ApiError {
  return new ApiError(403, 'error-not-allowed', 'Not allowed');
}
