import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsInt,
  IsString,
  Matches,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
  IsObject,
} from 'class-validator';
import { Optional } from '../../../common/validation';

const NON_BLANK = /\S/;
export const MAX_AGENTS_PER_REQUEST = 1000;

const ID_RULE = { message: 'must be a non-empty string of at most 64 characters' };

/** A document id: a non-empty string of at most 64 characters. */
function IsId(): PropertyDecorator {
  return applyDecorators(IsString(ID_RULE), MinLength(1, ID_RULE), MaxLength(64, ID_RULE));
}

/** A list of at most 1000 agent objects, each validated as `type`. */
function AgentList(type: () => new () => object): PropertyDecorator {
  return applyDecorators(
    IsArray({ message: 'must be an array' }),
    ArrayMaxSize(MAX_AGENTS_PER_REQUEST, {
      message: `must hold at most ${MAX_AGENTS_PER_REQUEST} agents`,
    }),
    IsObject({ each: true, message: 'must be an array of objects' }),
    ValidateNested({ each: true }),
    Type(type),
  );
}

/** The client-settable department fields (API.md §4.1); anything else is rejected. */
export class DepartmentDto {
  @ApiProperty({ example: 'Sales', maxLength: 256 })
  @IsString({ message: 'must be a non-empty string' })
  @Matches(NON_BLANK, { message: 'must be a non-empty string' })
  @MaxLength(256, { message: 'must be at most 256 characters' })
  name: string;

  @ApiProperty({ example: 'sales@example.com' })
  @IsString({ message: 'must be an e-mail address' })
  @MaxLength(254, { message: 'must be an e-mail address' })
  @IsEmail({ require_tld: false }, { message: 'must be an e-mail address' })
  email: string;

  @ApiProperty()
  @IsBoolean({ message: 'must be a boolean' })
  enabled: boolean;

  @ApiProperty({ description: 'Offered in the widget registration form' })
  @IsBoolean({ message: 'must be a boolean' })
  showOnRegistration: boolean;

  @ApiProperty({ description: 'Offered in the offline form' })
  @IsBoolean({ message: 'must be a boolean' })
  showOnOfflineForm: boolean;

  @ApiPropertyOptional({ maxLength: 4096 })
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxLength(4096, { message: 'must be at most 4096 characters' })
  description?: string;

  @ApiPropertyOptional()
  @Optional()
  @IsBoolean({ message: 'must be a boolean' })
  requestTagBeforeClosingChat?: boolean;

  @ApiPropertyOptional({ type: [String], maxItems: 100 })
  @Optional()
  @IsArray({ message: 'must be an array of strings' })
  @ArrayMaxSize(100, { message: 'must hold at most 100 tags' })
  @IsString({ each: true, message: 'must be an array of strings' })
  @MaxLength(256, { each: true, message: 'tags must be at most 256 characters' })
  chatClosingTags?: string[];

  @ApiPropertyOptional({ description: 'Id of another existing department' })
  @Optional()
  @IsId()
  fallbackForwardDepartment?: string;

  @ApiPropertyOptional({ type: [String] })
  @Optional()
  @IsArray({ message: 'must be an array of department ids' })
  @ArrayMaxSize(1000, { message: 'must hold at most 1000 ids' })
  @IsString({ each: true, message: 'must be an array of department ids' })
  @MinLength(1, { each: true, message: 'must be an array of department ids' })
  @MaxLength(64, { each: true, message: 'must be an array of department ids' })
  departmentsAllowedToForward?: string[];

  @ApiPropertyOptional()
  @Optional()
  @IsBoolean({ message: 'must be a boolean' })
  allowReceiveForwardOffline?: boolean;

  @ApiPropertyOptional()
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxLength(256, { message: 'must be at most 256 characters' })
  offlineMessageChannelName?: string;

  @ApiPropertyOptional()
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxLength(4096, { message: 'must be at most 4096 characters' })
  abandonedRoomsCloseCustomMessage?: string;

  @ApiPropertyOptional()
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxLength(4096, { message: 'must be at most 4096 characters' })
  waitingQueueMessage?: string;

  @ApiPropertyOptional({ minimum: 0 })
  @Optional()
  @IsInt({ message: 'must be an integer ≥ 0' })
  @Min(0, { message: 'must be an integer ≥ 0' })
  maxNumberSimultaneousChat?: number;

  @ApiPropertyOptional({ minimum: 0 })
  @Optional()
  @IsInt({ message: 'must be an integer ≥ 0' })
  @Min(0, { message: 'must be an integer ≥ 0' })
  visitorInactivityTimeoutInSeconds?: number;
}

/** One agent in a create/update request. */
export class AgentAssignmentDto {
  @ApiProperty({ example: 'SQafHvoFPuB57NmBD' })
  @IsId()
  agentId: string;

  @ApiPropertyOptional({
    description: 'Accepted for compatibility; the stored username comes from the user record',
  })
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxLength(256, { message: 'must be at most 256 characters' })
  username?: string;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @Optional()
  @IsInt({ message: 'must be an integer ≥ 0' })
  @Min(0, { message: 'must be an integer ≥ 0' })
  count?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @Optional()
  @IsInt({ message: 'must be an integer ≥ 0' })
  @Min(0, { message: 'must be an integer ≥ 0' })
  order?: number;
}

/** Body of `POST livechat/department` and `PUT livechat/department/:_id`. */
export class SaveDepartmentDto {
  @ApiProperty({ type: DepartmentDto })
  @IsObject({ message: 'must be an object' })
  @ValidateNested()
  @Type(() => DepartmentDto)
  department: DepartmentDto;

  @ApiPropertyOptional({ type: [AgentAssignmentDto], maxItems: MAX_AGENTS_PER_REQUEST })
  @Optional()
  @AgentList(() => AgentAssignmentDto)
  agents?: AgentAssignmentDto[];
}

/** One agent to remove in `POST livechat/department/:_id/agents`. */
export class AgentRemovalDto {
  @ApiProperty()
  @IsId()
  agentId: string;

  @ApiPropertyOptional()
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxLength(256, { message: 'must be at most 256 characters' })
  username?: string;
}

/** Body of `POST livechat/department/:_id/agents`: both lists are required (may be empty). */
export class UpdateDepartmentAgentsDto {
  @ApiProperty({ type: [AgentAssignmentDto] })
  @AgentList(() => AgentAssignmentDto)
  upsert: AgentAssignmentDto[];

  @ApiProperty({ type: [AgentRemovalDto] })
  @AgentList(() => AgentRemovalDto)
  remove: AgentRemovalDto[];
}
