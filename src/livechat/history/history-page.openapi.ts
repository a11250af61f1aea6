import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { HISTORY_ACTIONS } from './department-history.schema';

// The shape of GET livechat/department/:_id/history, for the OpenAPI document only.

class HistoryUserDoc {
  @ApiProperty() _id: string;
  @ApiProperty() username: string;
}

class FieldChangeDoc {
  @ApiProperty({ example: 'name' }) field: string;
  @ApiProperty({ description: 'Value before (null when unset)', nullable: true }) from: unknown;
  @ApiProperty({ description: 'Value after (null when removed)', nullable: true }) to: unknown;
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
}

class HistoryEntryDoc {
  @ApiProperty() _id: string;
  @ApiProperty() departmentId: string;
  @ApiProperty({ enum: HISTORY_ACTIONS }) action: string;
  @ApiProperty({ type: HistoryUserDoc }) user: HistoryUserDoc;
  @ApiProperty({ type: String, format: 'date-time' }) ts: string;
  @ApiProperty({ description: "The request's X-Request-Id" }) requestId: string;
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
