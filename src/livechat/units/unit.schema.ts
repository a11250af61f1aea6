import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { randomId } from '../../common/ids';
import { restrictQueries } from '../../database/restrict-queries';

export const UNIT_TYPE = 'u';
export const UNIT_VISIBILITIES = ['public', 'private'] as const;
export type UnitVisibility = (typeof UNIT_VISIBILITIES)[number];

/**
 * A unit (Rocket.Chat EE's business unit): a document of the department collection with
 * `type: 'u'`, as Rocket.Chat stores it, so a Rocket.Chat database works as it is. Its
 * departments carry `parentId`/`ancestors`; `numDepartments` and `numMonitors` are kept
 * exact by the department writer.
 */
@Schema({ collection: 'rocketchat_livechat_department', versionKey: false, minimize: false })
export class Unit {
  @Prop({ type: String, default: () => randomId() })
  _id: string;

  @Prop({ type: String, required: true })
  name: string;

  @Prop({ type: String, required: true, enum: UNIT_VISIBILITIES })
  visibility: UnitVisibility;

  @Prop({ type: String, required: true, default: UNIT_TYPE })
  type: typeof UNIT_TYPE;

  @Prop({ type: Number, required: true, default: 0 })
  numMonitors: number;

  @Prop({ type: Number, required: true, default: 0 })
  numDepartments: number;

  @Prop({ type: Date, required: true })
  _updatedAt: Date;

  /** The fencing epoch of the document's last writer (write-path/fencing.ts); never answered. */
  @Prop({ type: Number, select: false })
  _fence?: number;
}

export const UnitSchema = SchemaFactory.createForClass(Unit);
restrictQueries(UnitSchema, { type: UNIT_TYPE });

/** `rocketchat_livechat_unit_monitors`: a monitor of a unit (Rocket.Chat's shape). */
@Schema({ collection: 'rocketchat_livechat_unit_monitors', versionKey: false })
export class UnitMonitor {
  @Prop({ type: String, default: () => randomId() })
  _id: string;

  @Prop({ type: String, required: true })
  monitorId: string;

  @Prop({ type: String, required: true })
  unitId: string;

  @Prop({ type: String, required: true })
  username: string;

  /** The fencing epoch of the document's last writer (write-path/fencing.ts); never answered. */
  @Prop({ type: Number, select: false })
  _fence?: number;
}

export const UnitMonitorSchema = SchemaFactory.createForClass(UnitMonitor);
UnitMonitorSchema.index({ unitId: 1 });
UnitMonitorSchema.index({ monitorId: 1 });
