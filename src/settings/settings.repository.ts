import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { Setting } from './setting.schema';

/** `rocketchat_settings`: `{ _id, value }` documents. */
@Injectable()
export class SettingsRepository {
  constructor(@InjectModel(Setting.name) private readonly settings: Model<Setting>) {}

  /** The stored values of `ids` (a missing setting is absent from the map). */
  async read(ids: readonly string[]): Promise<Map<string, unknown>> {
    const docs = await this.settings
      .find({ _id: { $in: ids } }, { _id: 1, value: 1 })
      .lean<Setting[]>();
    return new Map(docs.map((doc) => [doc._id, doc.value]));
  }

  /** Stores each value where the setting is missing; stored values are left as they are. */
  async insertMissing(values: Readonly<Record<string, unknown>>): Promise<void> {
    await this.settings.bulkWrite(
      Object.entries(values).map(([_id, value]) => ({
        updateOne: {
          filter: { _id },
          update: { $setOnInsert: { value, _updatedAt: new Date() } },
          upsert: true,
        },
      })),
      { ordered: false, timestamps: false },
    );
  }

  /** Stores the values, in order. */
  async write(values: readonly (readonly [string, unknown])[]): Promise<void> {
    const now = new Date();
    await this.settings.bulkWrite(
      values.map(([_id, value]) => ({
        updateOne: { filter: { _id }, update: { $set: { value, _updatedAt: now } }, upsert: true },
      })),
      { ordered: true, timestamps: false },
    );
  }
}
