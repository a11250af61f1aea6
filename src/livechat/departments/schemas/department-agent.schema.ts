import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { randomId } from '../../../common/ids';

/** `rocketchat_livechat_department_agents`: one agent's assignment to one department. */
@Schema({ collection: 'rocketchat_livechat_department_agents', versionKey: false })
export class DepartmentAgent {
  @Prop({ type: String, default: () => randomId() })
  _id: string;

  @Prop({ type: String, required: true })
  agentId: string;

  @Prop({ type: String, required: true })
  departmentId: string;

  @Prop({ type: String, required: true })
  username: string;

  /** Mirror of the department's `enabled`. */
  @Prop({ type: Boolean, required: true })
  departmentEnabled: boolean;

  /** Chats routed to this agent in this department (routing picks the lowest). */
  @Prop({ type: Number, required: true, default: 0 })
  count: number;

  @Prop({ type: Number, required: true, default: 0 })
  order: number;

  @Prop({ type: Date, required: true })
  _updatedAt: Date;

  /** The fencing epoch of the document's last writer (write-path/fencing.ts); never answered. */
  @Prop({ type: Number, select: false })
  _fence?: number;
}

export const DepartmentAgentSchema = SchemaFactory.createForClass(DepartmentAgent);
DepartmentAgentSchema.index({ departmentId: 1, agentId: 1 }, { unique: true });
DepartmentAgentSchema.index({ agentId: 1 });
// Routing: the lowest count, then order, then username, within one department.
DepartmentAgentSchema.index({ departmentId: 1, count: 1, order: 1, username: 1 });
