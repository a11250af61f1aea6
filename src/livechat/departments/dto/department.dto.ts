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
  ValidateBy,
  ValidateIf,
  ValidateNested,
  IsObject,
} from 'class-validator';
import { MATCH_ERROR, MatchRequired, Optional } from '../../../common/validation';

/**
 * An optional department field that can also be cleared: `null` means "no value" (so do
 * `""` and `[]`, which pass the field's own rules or, with `emptyString`, skip them: the
 * id and number fields, for which Rocket.Chat's form sends `""`). The service stores
 * every such empty value as unset.
 */
function Clearable(options: { emptyString?: boolean } = {}): PropertyDecorator {
  return ValidateIf(
    (_object, value) =>
      value !== undefined && value !== null && !(options.emptyString && value === ''),
  );
}

const NON_BLANK = /\S/;
export const MAX_AGENTS_PER_REQUEST = 1000;

const ID_RULE = { message: 'must be a non-empty string of at most 64 characters' };

/** A document id: a non-empty string of at most 64 characters. */
export function IsId(): PropertyDecorator {
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

/** `departmentUnit` of a create/update request (Rocket.Chat's unit of the department). */
export class DepartmentUnitDto {
  @ApiPropertyOptional({
    description: 'The unit to move the department into; absent or "": none',
    maxLength: 64,
  })
  _id?: string;
}

/** How `check()` names a value's type in its messages. */
const matchType = (value: unknown): string => (value === null ? 'null' : typeof value);

/** What is wrong with a `departmentUnit`, in `check()`'s words (its clients compare them). */
function departmentUnitProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `${MATCH_ERROR} Expected object, got ${matchType(value)} in field departmentUnit`;
  }
  for (const [key, field] of Object.entries(value)) {
    if (key !== '_id') return `${MATCH_ERROR} Unknown key in field departmentUnit.${key}`;
    if (typeof field !== 'string') {
      return `${MATCH_ERROR} Expected string, got ${matchType(field)} in field departmentUnit._id`;
    }
    if (field.length > 64) {
      return `${MATCH_ERROR} Expected an id of at most 64 characters in field departmentUnit._id`;
    }
  }
  return null;
}

/** `{}` or `{ _id: string }`, checked as Rocket.Chat checks it, with its messages. */
function IsDepartmentUnit(): PropertyDecorator {
  return ValidateBy({
    name: 'isDepartmentUnit',
    validator: {
      validate: (value) => departmentUnitProblem(value) === null,
      defaultMessage: (args) => departmentUnitProblem(args?.value) ?? '',
    },
  });
}

/** The same, as older Rocket.Chat 7.x forms send it inside `department` (key `id`). */
export class LegacyDepartmentUnitDto {
  @ApiPropertyOptional()
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxLength(64, { message: 'must be at most 64 characters' })
  id?: string;
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

  @ApiPropertyOptional({ maxLength: 4096, nullable: true })
  @Clearable()
  @IsString({ message: 'must be a string' })
  @MaxLength(4096, { message: 'must be at most 4096 characters' })
  description?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @Clearable()
  @IsBoolean({ message: 'must be a boolean' })
  requestTagBeforeClosingChat?: boolean | null;

  @ApiPropertyOptional({ type: [String], maxItems: 100, nullable: true })
  @Clearable()
  @IsArray({ message: 'must be an array of strings' })
  @ArrayMaxSize(100, { message: 'must hold at most 100 tags' })
  @IsString({ each: true, message: 'must be an array of strings' })
  @MaxLength(256, { each: true, message: 'tags must be at most 256 characters' })
  chatClosingTags?: string[] | null;

  @ApiPropertyOptional({ description: 'Id of another existing department', nullable: true })
  @Clearable({ emptyString: true })
  @IsId()
  fallbackForwardDepartment?: string | null;

  @ApiPropertyOptional({ type: [String], nullable: true })
  @Clearable()
  @IsArray({ message: 'must be an array of department ids' })
  @ArrayMaxSize(1000, { message: 'must hold at most 1000 ids' })
  @IsString({ each: true, message: 'must be an array of department ids' })
  @MinLength(1, { each: true, message: 'must be an array of department ids' })
  @MaxLength(64, { each: true, message: 'must be an array of department ids' })
  departmentsAllowedToForward?: string[] | null;

  @ApiPropertyOptional({ nullable: true })
  @Clearable()
  @IsBoolean({ message: 'must be a boolean' })
  allowReceiveForwardOffline?: boolean | null;

  @ApiPropertyOptional({ nullable: true })
  @Clearable()
  @IsString({ message: 'must be a string' })
  @MaxLength(256, { message: 'must be at most 256 characters' })
  offlineMessageChannelName?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @Clearable()
  @IsString({ message: 'must be a string' })
  @MaxLength(4096, { message: 'must be at most 4096 characters' })
  abandonedRoomsCloseCustomMessage?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @Clearable()
  @IsString({ message: 'must be a string' })
  @MaxLength(4096, { message: 'must be at most 4096 characters' })
  waitingQueueMessage?: string | null;

  @ApiPropertyOptional({ minimum: 0, nullable: true })
  @Clearable({ emptyString: true })
  @IsInt({ message: 'must be an integer ≥ 0' })
  @Min(0, { message: 'must be an integer ≥ 0' })
  maxNumberSimultaneousChat?: number | '' | null;

  @ApiPropertyOptional({ minimum: 0, nullable: true })
  @Clearable({ emptyString: true })
  @IsInt({ message: 'must be an integer ≥ 0' })
  @Min(0, { message: 'must be an integer ≥ 0' })
  visitorInactivityTimeoutInSeconds?: number | '' | null;

  @ApiPropertyOptional({
    type: () => LegacyDepartmentUnitDto,
    description:
      "Sent inside the department by some Rocket.Chat 7.x forms: `{}` or `{ id: '' }` is accepted " +
      'and changes nothing; a unit id answers 400 error-unit-not-found (no units exist yet). Never stored.',
  })
  @Optional()
  @IsObject({ message: 'must be an object' })
  @ValidateNested()
  @Type(() => LegacyDepartmentUnitDto)
  departmentUnit?: LegacyDepartmentUnitDto;
}

/**
 * What Rocket.Chat's form echoes back of an assignment it read (GET …/agents) or of an
 * agent it picked (`name`): accepted and ignored; the stored values are the server's.
 */
class EchoedAssignmentFields {
  @ApiPropertyOptional({ description: 'Ignored (the assignment id, as read)' })
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxLength(64, { message: 'must be at most 64 characters' })
  _id?: string;

  @ApiPropertyOptional({ description: 'Ignored' })
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxLength(64, { message: 'must be at most 64 characters' })
  departmentId?: string;

  @ApiPropertyOptional({ description: 'Ignored' })
  @Optional()
  @IsBoolean({ message: 'must be a boolean' })
  departmentEnabled?: boolean;

  @ApiPropertyOptional({ description: 'Ignored' })
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxLength(64, { message: 'must be at most 64 characters' })
  _updatedAt?: string;

  @ApiPropertyOptional({ description: "Ignored (the agent's display name)" })
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxLength(256, { message: 'must be at most 256 characters' })
  name?: string;
}

/** One agent in a create/update request. */
export class AgentAssignmentDto extends EchoedAssignmentFields {
  @ApiProperty({ example: 'SQafHvoFPuB57NmBD' })
  @MatchRequired()
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

  @ApiPropertyOptional({
    type: DepartmentUnitDto,
    description:
      'Accepted as Rocket.Chat sends it: `{}` (or `{ _id: "" }`) changes nothing; a unit id answers ' +
      '400 error-unit-not-found until units exist.',
  })
  @Optional()
  @IsDepartmentUnit()
  departmentUnit?: DepartmentUnitDto;
}

/** One agent to remove in `POST livechat/department/:_id/agents` (count/order are ignored). */
export class AgentRemovalDto extends EchoedAssignmentFields {
  @ApiProperty()
  @MatchRequired()
  @IsId()
  agentId: string;

  @ApiPropertyOptional()
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxLength(256, { message: 'must be at most 256 characters' })
  username?: string;

  @ApiPropertyOptional({ description: 'Ignored' })
  @Optional()
  @IsInt({ message: 'must be an integer ≥ 0' })
  @Min(0, { message: 'must be an integer ≥ 0' })
  count?: number;

  @ApiPropertyOptional({ description: 'Ignored' })
  @Optional()
  @IsInt({ message: 'must be an integer ≥ 0' })
  @Min(0, { message: 'must be an integer ≥ 0' })
  order?: number;
}

/** Body of `POST livechat/department/:_id/agents`: both lists are required (may be empty). */
export class UpdateDepartmentAgentsDto {
  @ApiProperty({ type: [AgentAssignmentDto] })
  @MatchRequired()
  @AgentList(() => AgentAssignmentDto)
  upsert: AgentAssignmentDto[];

  @ApiProperty({ type: [AgentRemovalDto] })
  @MatchRequired()
  @AgentList(() => AgentRemovalDto)
  remove: AgentRemovalDto[];
}
