import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { SchemaTypes } from 'mongoose';
import type { Actor } from '../../auth/auth.decorators';

export const HISTORY_ACTIONS = [
  'create',
  'update',
  'agents',
  'archive',
  'unarchive',
  'delete',
] as const;
export type { Actor };
export type HistoryAction = (typeof HISTORY_ACTIONS)[number];

/** A name in place of an id (or a list of them): null where the id named nothing. */
export type NameOf = string | null | (string | null)[];

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
  /**
   * For a field that holds ids (departments, a schedule): `from` and `to` with each id
   * replaced by the name it had when the change was made, so the entry reads after a delete.
   */
  fromName?: NameOf;
  toName?: NameOf;
}

export interface AgentChanges {
  added: string[];
  removed: string[];
  changed: { agentId: string; count?: number; order?: number }[];
  /** The username of every agent named above, at the time of the change. */
  users?: { _id: string; username: string }[];
}

/** `livechat_department_history` (our extension): one document per department change. */
@Schema({ collection: 'livechat_department_history', versionKey: false })
export class DepartmentHistoryEntry {
  @Prop({ type: String, required: true })
  _id: string;

  @Prop({ type: String, required: true })
  departmentId: string;

  @Prop({ type: String, required: true, enum: HISTORY_ACTIONS })
  action: HistoryAction;

  @Prop({ type: SchemaTypes.Mixed, required: true })
  user: Actor['user'];

  @Prop({ type: Date, required: true })
  ts: Date;

  @Prop({ type: String, required: true })
  requestId: string;

  @Prop({ type: SchemaTypes.Mixed })
  changes?: FieldChange[];

  @Prop({ type: SchemaTypes.Mixed })
  agents?: AgentChanges;

  /** The configuration apply (livechat/configuration.apply) this change was part of. */
  @Prop({ type: String })
  applyId?: string;
}

export const DepartmentHistorySchema = SchemaFactory.createForClass(DepartmentHistoryEntry);
DepartmentHistorySchema.index({ departmentId: 1, ts: -1 });
DepartmentHistorySchema.index({ ts: 1 });
