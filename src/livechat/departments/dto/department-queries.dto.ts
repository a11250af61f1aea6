import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength } from 'class-validator';
import { Optional } from '../../../common/validation';

const BOOLEAN_TEXT = ['true', 'false'];

/** `onlyMyDepartments=true`: a monitor sees only the departments of its units. */
function OnlyMyDepartments(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      enum: BOOLEAN_TEXT,
      description: "true: a monitor sees only its units' departments (others: no effect)",
    }),
    Optional(),
    IsIn(BOOLEAN_TEXT, { message: 'must be true or false' }),
  );
}

/** `count`, `offset` and `sort` are checked by parsePage (API.md §6). */
export class PageQueryDto {
  @ApiPropertyOptional({ description: 'Page size (default 50, at most 100; 0 means 100)' })
  @Optional()
  @IsString({ message: 'must be a non-negative integer' })
  count?: string;

  @ApiPropertyOptional()
  @Optional()
  @IsString({ message: 'must be a non-negative integer' })
  offset?: string;

  @ApiPropertyOptional({ description: 'JSON object of field → 1 | -1', example: '{"name":1}' })
  @Optional()
  @IsString({ message: 'must be a JSON object' })
  sort?: string;
}

export class ListDepartmentsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Case-insensitive substring of the name' })
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxLength(256, { message: 'must be at most 256 characters' })
  text?: string;

  @ApiPropertyOptional({ enum: BOOLEAN_TEXT })
  @Optional()
  @IsIn(BOOLEAN_TEXT, { message: 'must be true or false' })
  enabled?: string;

  @ApiPropertyOptional()
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxLength(64, { message: 'must be at most 64 characters' })
  excludeDepartmentId?: string;

  @ApiPropertyOptional({ enum: BOOLEAN_TEXT })
  @Optional()
  @IsIn(BOOLEAN_TEXT, { message: 'must be true or false' })
  showArchived?: string;

  @OnlyMyDepartments()
  onlyMyDepartments?: string;
}

export class GetDepartmentQueryDto {
  @ApiPropertyOptional({ enum: BOOLEAN_TEXT, default: 'true' })
  @Optional()
  @IsIn(BOOLEAN_TEXT, { message: 'must be true or false' })
  includeAgents?: string;

  @OnlyMyDepartments()
  onlyMyDepartments?: string;
}

export class AutocompleteQueryDto {
  @ApiPropertyOptional({
    description:
      'JSON: { term?: string, exceptions?: string[], conditions?: { enabled?, showOnRegistration?, showOnOfflineForm? } }',
  })
  @Optional()
  selector?: unknown;

  @ApiPropertyOptional({ enum: BOOLEAN_TEXT })
  @Optional()
  @IsIn(BOOLEAN_TEXT, { message: 'must be true or false' })
  showArchived?: string;

  @OnlyMyDepartments()
  onlyMyDepartments?: string;
}

export class ListByIdsQueryDto {
  @ApiPropertyOptional({
    type: [String],
    description: '`ids[]=a&ids[]=b` or `ids=a&ids=b`; at most 100',
  })
  @Optional()
  ids?: unknown;

  @ApiPropertyOptional({ description: 'JSON projection of 0/1 values', example: '{"name":1}' })
  @Optional()
  fields?: unknown;
}

export class DepartmentsOfAgentQueryDto {
  @ApiPropertyOptional({ enum: BOOLEAN_TEXT })
  @Optional()
  @IsIn(BOOLEAN_TEXT, { message: 'must be true or false' })
  enabledDepartmentsOnly?: string;
}
