import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { SchemaTypes } from 'mongoose';
import { DepartmentHistoryEntry } from '../history/department-history.schema';

/**
 * `livechat_department_journal`: the department writes in progress, each with its
 * future history entry and its `plan`. Written before a write's first step and deleted
 * by its writer after its last one, so it holds writes in flight, interrupted ones for
 * recovery to roll forward, and overtaken ones (finished by another writer) whose sweep
 * is still due. Kept apart from the history so that it stays small: FerretDB scans a
 * collection for updates and deletes.
 */
@Schema({ collection: 'livechat_department_journal', versionKey: false })
export class DepartmentJournalEntry extends DepartmentHistoryEntry {
  @Prop({ type: SchemaTypes.Mixed, required: true })
  plan: unknown;

  /** Failed replays so far. */
  @Prop({ type: Number })
  attempts?: number;

  /** Set after too many failed replays: kept for an operator, never replayed again. */
  @Prop({ type: Boolean })
  parked?: boolean;

  /** Every department (or unit) the write changes besides `departmentId` (see planTouches). */
  @Prop({ type: [String], default: undefined })
  touches?: string[];

  /** Set when the write completes an earlier entry (one save, two requests): its id. */
  @Prop({ type: String })
  mergeInto?: string;

  /** Who carries the write out now (random per attempt): its writer, then each replayer. */
  @Prop({ type: String })
  writer?: string;

  /** The instance of `writer`. */
  @Prop({ type: String })
  owner?: string;

  /** The fencing epochs of `writer`, by document id (shared mode). */
  @Prop({ type: SchemaTypes.Mixed })
  epochs?: Record<string, number>;

  /** The epochs of earlier writers that were overtaken: their late inserts are swept. */
  @Prop({ type: SchemaTypes.Mixed })
  staleEpochs?: Record<string, number>[];

  /** Finished by another writer than its first: only the sweep of late inserts is left. */
  @Prop({ type: Boolean })
  overtaken?: boolean;
}

export const DepartmentJournalSchema = SchemaFactory.createForClass(DepartmentJournalEntry);
DepartmentJournalSchema.index({ ts: 1 });
DepartmentJournalSchema.index({ departmentId: 1 });
