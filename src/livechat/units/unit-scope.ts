import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { ApiError } from '../../common/api-error';
import type { AuthenticatedUser } from '../../users/users.service';
import { UnitMonitor } from './unit.schema';

export const MONITOR_ROLE = 'livechat-monitor';
/** Roles that are never limited to units, whatever else they hold. */
const UNRESTRICTED_ROLES = ['admin', 'livechat-manager'];

/**
 * Which departments a caller may see and change: `null` for all of them, otherwise the
 * units it monitors (a department belongs to the scope when its `parentId` is one of them).
 */
export type DepartmentScope = { unitIds: string[] } | null;

export function inScope(
  scope: DepartmentScope,
  department: { parentId?: string | null } | null | undefined,
): boolean {
  return (
    scope === null || (!!department?.parentId && scope.unitIds.includes(department.parentId))
  );
}

/** 403 unless the department is in the caller's scope. */
export function assertInScope(
  scope: DepartmentScope,
  department: { parentId?: string | null } | null | undefined,
): void {
  if (!inScope(scope, department)) throw notAllowed();
}

export function notAllowed(): ApiError {
  return new ApiError(403, 'error-not-allowed', 'Not allowed');
}

/**
 * The monitor scope (Rocket.Chat EE): a user with the livechat-monitor role, and neither
 * admin nor manager, handles only the departments of the units it monitors. Read from
 * the unit links at each request, so a change of scope applies at once.
 */
@Injectable()
export class UnitScope {
  constructor(@InjectModel(UnitMonitor.name) private readonly links: Model<UnitMonitor>) {}

  async of(user: AuthenticatedUser): Promise<DepartmentScope> {
    if (!isRestricted(user)) return null;
    return { unitIds: await this.unitsOf(user._id) };
  }

  /** The ids of the units a user monitors. */
  async unitsOf(userId: string): Promise<string[]> {
    return (await this.links.distinct('unitId', { monitorId: userId })) as string[];
  }
}

function isRestricted(user: AuthenticatedUser): boolean {
  return (
    user.roles.includes(MONITOR_ROLE) && !user.roles.some((role) => UNRESTRICTED_ROLES.includes(role))
  );
}
