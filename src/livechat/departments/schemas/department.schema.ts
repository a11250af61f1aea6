import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { randomId } from '../../../common/ids';
import { restrictQueries } from '../../../database/restrict-queries';
import { UNIT_TYPE } from '../../units/unit.schema';

/**
 * `rocketchat_livechat_department`. `_updatedAt` is written explicitly on every
 * change (it is also the ETag version), so Mongoose timestamps are off.
 */
@Schema({ collection: 'rocketchat_livechat_department', versionKey: false, minimize: false })
export class Department {
  @Prop({ type: String, default: () => randomId() })
  _id: string;

  @Prop({ type: String, required: true })
  name: string;

  @Prop({ type: String, required: true })
  email: string;

  @Prop({ type: Boolean, required: true })
  enabled: boolean;

  @Prop({ type: Boolean, required: true })
  showOnRegistration: boolean;

  @Prop({ type: Boolean, required: true })
  showOnOfflineForm: boolean;

  @Prop({ type: String })
  description?: string;

  @Prop({ type: Boolean })
  requestTagBeforeClosingChat?: boolean;

  @Prop({ type: [String], default: undefined })
  chatClosingTags?: string[];

  @Prop({ type: String })
  fallbackForwardDepartment?: string;

  @Prop({ type: [String], default: undefined })
  departmentsAllowedToForward?: string[];

  @Prop({ type: Boolean })
  allowReceiveForwardOffline?: boolean;

  @Prop({ type: String })
  offlineMessageChannelName?: string;

  @Prop({ type: String })
  abandonedRoomsCloseCustomMessage?: string;

  @Prop({ type: String })
  waitingQueueMessage?: string;

  @Prop({ type: Number })
  maxNumberSimultaneousChat?: number;

  @Prop({ type: Number })
  visitorInactivityTimeoutInSeconds?: number;

  /** Number of agent assignments; always present. */
  @Prop({ type: Number, required: true, default: 0 })
  numAgents: number;

  /** The custom business-hour schedule it follows (absent: the default); server-managed. */
  @Prop({ type: String })
  businessHourId?: string;

  /**
   * The unit (Rocket.Chat EE) the department belongs to, if any; `null` once taken out of
   * one through a department save (Rocket.Chat's shape); server-managed.
   */
  @Prop({ type: String })
  parentId?: string | null;

  /** `[parentId]` while in a unit, `null` with a null parentId (Rocket.Chat's shape). */
  @Prop({ type: [String], default: undefined })
  ancestors?: string[] | null;

  /** `'d'` or absent; `'u'` marks a unit, which shares this collection. */
  @Prop({ type: String })
  type?: string;

  /** Absent until the department is archived. */
  @Prop({ type: Boolean })
  archived?: boolean;

  @Prop({ type: Date, required: true })
  _updatedAt: Date;

  /** The fencing epoch of the document's last writer (write-path/fencing.ts); never answered. */
  @Prop({ type: Number, select: false })
  _fence?: number;
}

export const DepartmentSchema = SchemaFactory.createForClass(Department);
DepartmentSchema.index({ name: 1 });
restrictQueries(DepartmentSchema, { type: { $ne: UNIT_TYPE } });
