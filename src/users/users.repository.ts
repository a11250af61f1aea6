import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, ProjectionType, QueryFilter, UpdateQuery } from 'mongoose';
import { findPage, type Page, type SortSpec } from '../common/pagination';
import { DatabaseCircuit } from '../database/database-circuit';
import { User } from './user.schema';

/**
 * `users`: the one owner of the User model. Users hold no department data, so no scope:
 * the rules (identities, tokens, roles, the last admin) are UsersService's.
 */
@Injectable()
export class UsersRepository {
  constructor(
    @InjectModel(User.name) private readonly users: Model<User>,
    private readonly circuit: DatabaseCircuit,
  ) {}

  async findOne<T>(
    filter: QueryFilter<User>,
    projection?: ProjectionType<User>,
  ): Promise<T | null> {
    return this.users.findOne(filter, projection).lean<T>();
  }

  async find<T>(
    filter: QueryFilter<User>,
    projection?: ProjectionType<User>,
    options: { sort?: SortSpec; limit?: number } = {},
  ): Promise<T[]> {
    const query = this.users.find(filter, projection);
    if (options.sort) query.sort(options.sort);
    if (options.limit !== undefined) query.limit(options.limit);
    return query.lean<T[]>();
  }

  async page<T>(
    filter: QueryFilter<User>,
    page: Page,
    projection: ProjectionType<User>,
  ): Promise<{ items: T[]; total: number }> {
    return findPage<User, T>(this.users, filter, page, projection);
  }

  async exists(filter: QueryFilter<User>): Promise<boolean> {
    return (await this.users.exists(filter)) !== null;
  }

  /** One user by id, straight through the driver (a hot read: authentication, routing). */
  async findById<T>(id: string, projection: Record<string, 0 | 1>): Promise<T | null> {
    return this.circuit.findById<T>(this.users, id, projection);
  }

  /** Users matching a filter already in stored types, straight through the driver. */
  async findDirect<T>(
    filter: Record<string, unknown>,
    projection: Record<string, 0 | 1>,
  ): Promise<T[]> {
    return this.circuit.find<T>(this.users, filter, projection);
  }

  async insert(user: Partial<User>): Promise<User> {
    return (await this.users.create(user)).toObject();
  }

  /** Updates one user; the number matched (0 or 1). */
  async updateOne(filter: QueryFilter<User>, update: UpdateQuery<User>): Promise<number> {
    return (await this.users.updateOne(filter, update)).matchedCount;
  }

  /** Updates one user and returns it as it was before. */
  async updateAndGetBefore<T>(
    filter: QueryFilter<User>,
    update: UpdateQuery<User>,
  ): Promise<T | null> {
    return this.users.findOneAndUpdate(filter, update, { returnDocument: 'before' }).lean<T>();
  }

  async deleteById(id: string): Promise<void> {
    await this.users.deleteOne({ _id: id });
  }
}
