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

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

export interface AgentChanges {
  added: string[];
  removed: string[];
  changed: { agentId: string; count?: number; order?: number }[];
}

/**
 * `livechat_department_history` (our extension). One document per department write.
 * It is written `pending`, with the `plan` of the write, before the write touches
 * anything, and marked `done` (plan dropped) after its last step: a crash in between
 * leaves a pending entry that start-up rolls forward. Done entries are the history.
 */
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

  @Prop({ type: String, required: true, enum: ['pending', 'done'] })
  state: 'pending' | 'done';

  /** The write still to be (re)applied while pending (a DepartmentPlan). */
  @Prop({ type: SchemaTypes.Mixed })
  plan?: unknown;
}

export const DepartmentHistorySchema = SchemaFactory.createForClass(DepartmentHistoryEntry);
DepartmentHistorySchema.index({ departmentId: 1, ts: -1 });
DepartmentHistorySchema.index({ state: 1, ts: 1 });
