import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { HISTORY_ACTIONS } from './department-history.schema';

// The shape of GET livechat/department/:_id/history, for the OpenAPI document only.

class HistoryUserDoc {
  @ApiProperty() _id: string;
  @ApiProperty() username: string;
}

const NAME_OF =
  'For fallbackForwardDepartment, departmentsAllowedToForward and businessHourId: the value with ' +
  'each id replaced by the name it had at the time (a list for a list; null for none or unknown)';

class FieldChangeDoc {
  @ApiProperty({ example: 'name' }) field: string;
  @ApiProperty({ description: 'Value before (null when empty or unset)', nullable: true })
  from: unknown;
  @ApiProperty({ description: 'Value after (null when cleared)', nullable: true }) to: unknown;
  @ApiPropertyOptional({
    description: `${NAME_OF}: of from`,
    nullable: true,
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string', nullable: true } }],
  })
  fromName?: string | null | (string | null)[];
  @ApiPropertyOptional({
    description: `${NAME_OF}: of to`,
    nullable: true,
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string', nullable: true } }],
  })
  toName?: string | null | (string | null)[];
}

class AgentCountOrderDoc {
  @ApiProperty() agentId: string;
  @ApiPropertyOptional() count?: number;
  @ApiPropertyOptional() order?: number;
}

class AgentChangesDoc {
  @ApiProperty({ type: [String] }) added: string[];
  @ApiProperty({ type: [String] }) removed: string[];
  @ApiProperty({ type: [AgentCountOrderDoc] }) changed: AgentCountOrderDoc[];
  @ApiPropertyOptional({
    type: [HistoryUserDoc],
    description: 'The username of every agent named in added, removed and changed, at the time',
  })
  users?: HistoryUserDoc[];
}

class HistoryEntryDoc {
  @ApiProperty() _id: string;
  @ApiProperty() departmentId: string;
  @ApiProperty({ enum: HISTORY_ACTIONS }) action: string;
  @ApiProperty({ type: HistoryUserDoc }) user: HistoryUserDoc;
  @ApiProperty({ type: String, format: 'date-time' }) ts: string;
  @ApiProperty({
    description:
      "The request's X-Request-Id. A POST …/agents with the same id and user as the department's " +
      'latest entry is merged into that entry (one entry per save)',
  })
  requestId: string;
  @ApiPropertyOptional({ type: [FieldChangeDoc] }) changes?: FieldChangeDoc[];
  @ApiPropertyOptional({ type: AgentChangesDoc }) agents?: AgentChangesDoc;
}

export class HistoryPageDoc {
  @ApiProperty({ type: [HistoryEntryDoc] }) history: HistoryEntryDoc[];
  @ApiProperty() count: number;
  @ApiProperty() offset: number;
  @ApiProperty() total: number;
  @ApiProperty({ example: true }) success: boolean;
}
