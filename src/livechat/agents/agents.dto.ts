import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, Length, MaxLength } from 'class-validator';
import { Optional } from '../../common/validation';
import { PageQueryDto } from '../departments/dto/department-queries.dto';

export class AddRoleDto {
  @ApiProperty()
  @IsString({ message: 'must be a non-empty string' })
  @Length(1, 256, { message: 'must be a non-empty string' })
  username: string;
}

export class ListRoleQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Case-insensitive substring of username or name' })
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxLength(256, { message: 'must be at most 256 characters' })
  text?: string;
}

export const LIVECHAT_STATUSES = ['available', 'not-available'] as const;

export class AgentStatusDto {
  @ApiProperty({ enum: LIVECHAT_STATUSES })
  @IsIn(LIVECHAT_STATUSES, { message: 'must be available or not-available' })
  status: (typeof LIVECHAT_STATUSES)[number];

  @ApiPropertyOptional({ description: 'Another agent (needs manage-livechat-agents)' })
  @Optional()
  @IsString({ message: 'must be a non-empty string' })
  @Length(1, 64, { message: 'must be a non-empty string' })
  agentId?: string;
}
