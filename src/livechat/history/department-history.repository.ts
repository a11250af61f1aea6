import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { findPage, type Page } from '../../common/pagination';
import { DepartmentsRepository } from '../departments/departments.repository';
import { notAllowed, Scope } from '../scope/scope';
import { AgentChanges, DepartmentHistoryEntry } from './department-history.schema';

/**
 * `livechat_department_history`. Reading a department's history takes the reader's scope
 * (a restricted one: only its units' departments, so never a deleted one's); entries are
 * written by the write path as part of each department write.
 */
@Injectable()
export class DepartmentHistoryRepository {
  constructor(
    @InjectModel(DepartmentHistoryEntry.name)
    private readonly entries: Model<DepartmentHistoryEntry>,
    private readonly departments: DepartmentsRepository,
  ) {}

  async page<T>(
    departmentId: string,
    page: Page,
    scope: Scope,
  ): Promise<{ items: T[]; total: number }> {
    if (scope.isRestricted && !(await this.departments.findById(departmentId, scope, { _id: 1 }))) {
      throw notAllowed();
    }
    return findPage<DepartmentHistoryEntry, T>(
      this.entries,
      { departmentId },
      { ...page, sort: { ts: -1, _id: -1 } },
    );
  }

  /** The department's latest entry (the write path, under the department's lease). */
  async latestOf<T>(departmentId: string): Promise<T | undefined> {
    const [latest] = await this.entries
      .find({ departmentId })
      .sort({ ts: -1, _id: -1 })
      .limit(1)
      .lean<T[]>();
    return latest;
  }

  /** Inserts an entry; false when one with its `_id` exists (a replay). */
  async insert(entry: DepartmentHistoryEntry): Promise<boolean> {
    try {
      await this.entries.insertMany([entry], { lean: true });
      return true;
    } catch (error) {
      if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
      return false;
    }
  }

  async setAgents(entryId: string, agents: AgentChanges | undefined): Promise<void> {
    await this.entries.updateOne({ _id: entryId }, { $set: { agents } });
  }

  /** Deletes entries older than `before` (retention); returns how many. */
  async deleteBefore(before: Date): Promise<number> {
    const { deletedCount } = await this.entries.deleteMany({ ts: { $lt: before } });
    return deletedCount;
  }
}

const DUPLICATE_KEY = 11000;
