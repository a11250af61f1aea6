import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { SchemaTypes } from 'mongoose';
import type { Actor } from '../../auth/caller';

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

/**
 * What a clean-up entry cleans up after: a department's references to a deleted one are
 * dropped by that delete (department-writer.ts), recorded as such rather than as an edit.
 */
export interface CleanupCause {
  /** The deleted department, and its name at the time. */
  departmentId: string;
  departmentName?: string;
  /** Who deleted it (the entry's `user` is the system when this department was not theirs). */
  deletedBy: { _id: string; username: string };
  /** The delete's request. */
  requestId: string;
}

/** The author of changes nobody asked for directly (a clean-up outside the deleter's units). */
export const SYSTEM_USER = { _id: 'system', username: 'system' } as const;

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

  /** Set on a clean-up caused by another department's delete. */
  @Prop({ type: SchemaTypes.Mixed })
  cleanupOf?: CleanupCause;

  /** The configuration apply (livechat/configuration.apply) this change was part of. */
  @Prop({ type: String })
  applyId?: string;
}

export const DepartmentHistorySchema = SchemaFactory.createForClass(DepartmentHistoryEntry);
DepartmentHistorySchema.index({ departmentId: 1, ts: -1 });
DepartmentHistorySchema.index({ ts: 1 });
