import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { SchemaTypes } from 'mongoose';
import type { Actor } from '../../auth/caller';
import type { Department } from '../departments/schemas/department.schema';
import type { DepartmentAgent } from '../departments/schemas/department-agent.schema';

/**
 * `livechat_configuration_applies`: one document per apply of a configuration, written
 * before its first step and marked done after its last. Its steps are the objects to bring
 * to the document's state, each step idempotent (it compares before it writes), so an
 * apply cut short by a crash is finished by whichever instance's recovery pass finds it.
 */
@Schema({ collection: 'livechat_configuration_applies', versionKey: false })
export class ConfigurationApply {
  @Prop({ type: String, required: true })
  _id: string;

  @Prop({ type: SchemaTypes.Mixed, required: true })
  actor: Actor;

  /** The monitor's units when the apply was made by a monitor (null: everything). */
  @Prop({ type: [String], default: undefined })
  scopeUnitIds?: string[] | null;

  @Prop({ type: String, required: true })
  basedOn: string;

  /** The configuration document being applied (JSON text, keys as the author wrote them). */
  @Prop({ type: String, required: true })
  document: string;

  /** `object:name` of every object the apply changes; `done` lists those finished. */
  @Prop({ type: [String], required: true })
  steps: string[];

  @Prop({ type: [String], default: [] })
  done: string[];

  @Prop({ type: String, required: true, enum: ['running', 'finished'] })
  state: 'running' | 'finished';

  @Prop({ type: Date, required: true })
  ts: Date;

  @Prop({ type: Date })
  finishedAt?: Date;
}

export const ConfigurationApplySchema = SchemaFactory.createForClass(ConfigurationApply);
ConfigurationApplySchema.index({ state: 1 });

/**
 * `livechat_department_deleted`: what a deleted department was (the document and its
 * agents), kept for `Omnichannel_department_restore_days`, then purged. Rocket.Chat's
 * collections show the department gone meanwhile, exactly as after any delete.
 */
@Schema({ collection: 'livechat_department_deleted', versionKey: false })
export class DeletedDepartment {
  /** The department's id (a restore brings it back under the same id). */
  @Prop({ type: String, required: true })
  _id: string;

  @Prop({ type: String, required: true })
  name: string;

  @Prop({ type: SchemaTypes.Mixed, required: true })
  department: Department;

  @Prop({ type: SchemaTypes.Mixed, required: true })
  agents: Pick<DepartmentAgent, 'agentId' | 'username' | 'count' | 'order'>[];

  @Prop({ type: Date, required: true })
  deletedAt: Date;

  @Prop({ type: SchemaTypes.Mixed, required: true })
  deletedBy: { _id: string; username: string };
}

export const DeletedDepartmentSchema = SchemaFactory.createForClass(DeletedDepartment);
DeletedDepartmentSchema.index({ deletedAt: -1 });
