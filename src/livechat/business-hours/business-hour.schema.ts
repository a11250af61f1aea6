import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { DerivedTime } from './open-now';

export const BUSINESS_HOUR_KINDS = ['default', 'custom'] as const;
export type BusinessHourKind = (typeof BUSINESS_HOUR_KINDS)[number];

/** One day of a stored schedule: Rocket.Chat's shape, `code` 1 (Monday) … 7 (Sunday). */
export interface StoredWorkHour {
  day: string;
  start: DerivedTime;
  finish: DerivedTime;
  open: boolean;
  code: number;
}

/**
 * `rocketchat_livechat_business_hours`, Rocket.Chat's document shape. `timezone.utc`
 * and the `utc`/`cron` parts of each work hour are derived at save time (for readers
 * of a Rocket.Chat database); whether a schedule is open is computed from
 * `timezone.name` and the wall-clock `time`s. `_updatedAt` is written explicitly.
 */
@Schema({ collection: 'rocketchat_livechat_business_hours', versionKey: false, minimize: false })
export class BusinessHour {
  @Prop({ type: String })
  _id: string;

  @Prop({ type: String, required: true, default: '' })
  name: string;

  @Prop({ type: Boolean, required: true })
  active: boolean;

  @Prop({ type: String, required: true, enum: BUSINESS_HOUR_KINDS })
  type: BusinessHourKind;

  @Prop({ type: Object, required: true })
  timezone: { name: string; utc: string };

  @Prop({ type: [Object], required: true })
  workHours: StoredWorkHour[];

  @Prop({ type: Date, required: true })
  ts: Date;

  @Prop({ type: Date, required: true })
  _updatedAt: Date;

  /** The fencing epoch of the document's last writer (write-path/fencing.ts); never answered. */
  @Prop({ type: Number, select: false })
  _fence?: number;
}

export const BusinessHourSchema = SchemaFactory.createForClass(BusinessHour);
BusinessHourSchema.index({ type: 1 });
BusinessHourSchema.index({ name: 1 });
