import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, ProjectionType, QueryFilter } from 'mongoose';
import { findPage, type Page } from '../../common/pagination';
import { fenced, stamped } from '../write-path/fencing';
import { BusinessHour } from './business-hour.schema';

/**
 * Business-hour schedules (`rocketchat_livechat_business_hours`). A schedule holds no
 * department data: which departments follow it is each department's `businessHourId`,
 * read and written through DepartmentsService (in a scope, by the write path). Writes are
 * fenced by the schedules' lease epoch (write-path/fencing.ts).
 */
@Injectable()
export class BusinessHoursRepository {
  constructor(
    @InjectModel(BusinessHour.name) private readonly businessHours: Model<BusinessHour>,
  ) {}

  async findOne<T = BusinessHour>(
    filter: QueryFilter<BusinessHour>,
    projection?: ProjectionType<BusinessHour>,
  ): Promise<T | null> {
    return this.businessHours.findOne(filter, projection).lean<T>();
  }

  async find<T = BusinessHour>(
    filter: QueryFilter<BusinessHour>,
    projection?: ProjectionType<BusinessHour>,
  ): Promise<T[]> {
    return this.businessHours.find(filter, projection).lean<T[]>();
  }

  async page(
    filter: QueryFilter<BusinessHour>,
    page: Page,
  ): Promise<{ items: BusinessHour[]; total: number }> {
    return findPage(this.businessHours, filter, page);
  }

  /** Inserts `document` under `id` unless a document has that id. */
  async insertIfMissing(id: string, document: Partial<BusinessHour>): Promise<void> {
    await this.businessHours.updateOne({ _id: id }, { $setOnInsert: document }, { upsert: true });
  }

  async insert(document: BusinessHour, epoch: number | undefined): Promise<void> {
    await this.businessHours.insertMany([stamped(document, epoch)], { lean: true });
  }

  /** Sets `fields` unless a later writer than `epoch` wrote the schedule; false then. */
  async update(
    id: string,
    fields: Partial<BusinessHour>,
    epoch: number | undefined,
  ): Promise<boolean> {
    const { matchedCount } = await this.businessHours.updateOne(fenced({ _id: id }, epoch), {
      $set: stamped(fields, epoch),
    });
    return matchedCount === 1;
  }

  /** Deactivates the custom schedules among `ids` that no later writer than `epoch` wrote. */
  async deactivateCustom(ids: string[], updatedAt: Date, epoch: number | undefined): Promise<void> {
    await this.businessHours.updateMany(fenced({ _id: { $in: ids }, type: 'custom' }, epoch), {
      $set: stamped({ active: false, _updatedAt: updatedAt }, epoch),
    });
  }

  async delete(id: string, epoch: number | undefined): Promise<void> {
    await this.businessHours.deleteOne(fenced({ _id: id }, epoch));
  }
}
