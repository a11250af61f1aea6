import { Injectable, OnModuleInit } from '@nestjs/common';
import { ApiError } from '../common/api-error';
import { RefreshingValue } from '../common/refreshing-value';
import type { AuthenticatedUser } from '../auth/caller';
import { DEFAULT_PERMISSIONS, PermissionId } from './defaults';
import { Permission } from './permission.schema';
import { PermissionsRepository } from './permissions.repository';

/** Other instances' changes are seen within this delay (API.md §3). */
const PERMISSIONS_TTL_MS = 5_000;

@Injectable()
export class PermissionsService implements OnModuleInit {
  private readonly rolesByPermission = new RefreshingValue(async () => {
    const docs = await this.permissions.find();
    return new Map(docs.map((doc) => [doc._id, new Set(doc.roles ?? [])]));
  }, PERMISSIONS_TTL_MS);

  constructor(private readonly permissions: PermissionsRepository) {}

  /** Seeds the default permissions that are missing; existing ones are left as edited. */
  async onModuleInit(): Promise<void> {
    await this.permissions.insertMissing(DEFAULT_PERMISSIONS);
  }

  async hasAny(user: AuthenticatedUser, permissions: readonly PermissionId[]): Promise<boolean> {
    const rolesByPermission = await this.rolesByPermission.get();
    return permissions.some((permission) =>
      user.roles.some((role) => rolesByPermission.get(permission)?.has(role)),
    );
  }

  /** Throws 403 `error-unauthorized` unless the user holds one of the permissions. */
  async assertAny(user: AuthenticatedUser, permissions: readonly PermissionId[]): Promise<void> {
    if (!(await this.hasAny(user, permissions))) throw ApiError.forbidden();
  }

  /** The permissions the user holds through any of its roles, sorted (what a client may offer). */
  async effective(user: AuthenticatedUser): Promise<string[]> {
    const rolesByPermission = await this.rolesByPermission.get();
    return [...rolesByPermission]
      .filter(([, roles]) => user.roles.some((role) => roles.has(role)))
      .map(([permission]) => permission)
      .sort();
  }

  async listAll(): Promise<Permission[]> {
    return this.permissions.find();
  }

  /** Replaces the roles of each given permission; all ids must exist, else nothing changes. */
  async update(changes: { _id: string; roles: string[] }[]): Promise<Permission[]> {
    const ids = changes.map((change) => change._id);
    const known = new Set((await this.permissions.find(ids)).map((doc) => doc._id));
    const unknown = ids.find((id) => !known.has(id));
    if (unknown !== undefined) {
      throw ApiError.badRequest('error-invalid-permission', `Invalid permission: ${unknown}`);
    }
    await Promise.all(
      changes.map((change) => this.permissions.setRoles(change._id, [...new Set(change.roles)])),
    );
    this.rolesByPermission.invalidate();
    return this.permissions.find(ids);
  }
}
