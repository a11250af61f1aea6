import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { Permission } from './permission.schema';

/** `rocketchat_permissions`: which roles hold each permission. */
@Injectable()
export class PermissionsRepository {
  constructor(@InjectModel(Permission.name) private readonly permissions: Model<Permission>) {}

  /** Every permission (or those of `ids`) with its roles, by id. */
  async find(ids?: readonly string[]): Promise<Permission[]> {
    return this.permissions
      .find(ids ? { _id: { $in: ids } } : {}, { _id: 1, roles: 1, _updatedAt: 1 })
      .sort({ _id: 1 })
      .lean<Permission[]>();
  }

  /** Stores each permission's roles where the permission is missing. */
  async insertMissing(rolesById: Readonly<Record<string, readonly string[]>>): Promise<void> {
    await this.permissions.bulkWrite(
      Object.entries(rolesById).map(([_id, roles]) => ({
        updateOne: {
          filter: { _id },
          update: { $setOnInsert: { roles: [...roles], _updatedAt: new Date() } },
          upsert: true,
        },
      })),
      { ordered: false, timestamps: false },
    );
  }

  async setRoles(id: string, roles: readonly string[]): Promise<void> {
    await this.permissions.updateOne(
      { _id: id },
      { $set: { roles: [...roles], _updatedAt: new Date() } },
      { timestamps: false },
    );
  }
}
