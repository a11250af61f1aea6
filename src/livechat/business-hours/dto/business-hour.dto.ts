import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { Optional } from '../../../common/validation';
import { PageQueryDto } from '../../departments/dto/department-queries.dto';
import { BUSINESS_HOUR_KINDS, BusinessHourKind } from '../business-hour.schema';
import { HH_MM, WEEK_DAYS } from '../open-now';

export class WorkHourDto {
  @ApiProperty({ enum: WEEK_DAYS })
  @IsIn(WEEK_DAYS, { message: `must be one of ${WEEK_DAYS.join(', ')}` })
  day: string;

  @ApiProperty({ example: '08:00', description: 'HH:mm, wall clock in the schedule’s zone' })
  @IsString({ message: 'must be a time HH:mm' })
  @Matches(HH_MM, { message: 'must be a time HH:mm' })
  start: string;

  @ApiProperty({ example: '17:00', description: 'HH:mm, after start; 23:59 means midnight' })
  @IsString({ message: 'must be a time HH:mm' })
  @Matches(HH_MM, { message: 'must be a time HH:mm' })
  finish: string;

  @ApiProperty()
  @IsBoolean({ message: 'must be a boolean' })
  open: boolean;

  @ApiPropertyOptional({ description: 'Echoed from a read (1 Monday … 7 Sunday); ignored' })
  @Optional()
  @IsInt({ message: 'must be an integer' })
  code?: number;
}

/** A zone name, or Rocket.Chat's `{ name, utc }` as a read answers it (utc is ignored). */
function IsTimeZoneField(): PropertyDecorator {
  const isName = (value: unknown) => typeof value === 'string' && value.length <= 64;
  return ValidateBy({
    name: 'isTimeZoneField',
    validator: {
      validate: (value: unknown) => {
        if (isName(value)) return true;
        if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
        const { name, utc, ...rest } = value as Record<string, unknown>;
        return isName(name) && (utc === undefined || isName(utc)) && !Object.keys(rest).length;
      },
      defaultMessage: () => 'must be an IANA time zone name, or { name, utc }',
    },
  });
}

/** Rocket.Chat's save shape (its `livechat:saveBusinessHour` method), as a REST body. */
export class SaveBusinessHourDto {
  @ApiPropertyOptional({ description: 'Updates this schedule; omitted: creates one' })
  @Optional()
  @IsString({ message: 'must be a non-empty string' })
  @Length(1, 64, { message: 'must be a non-empty string' })
  _id?: string;

  @ApiProperty({ description: 'Required for a custom schedule; the default one may be empty' })
  @IsString({ message: 'must be a string' })
  @MaxLength(200, { message: 'must be at most 200 characters' })
  name: string;

  @ApiProperty()
  @IsBoolean({ message: 'must be a boolean' })
  active: boolean;

  @ApiProperty({ enum: BUSINESS_HOUR_KINDS })
  @IsIn(BUSINESS_HOUR_KINDS, { message: 'must be default or custom' })
  type: BusinessHourKind;

  @ApiProperty({
    example: 'Europe/Berlin',
    description: 'IANA time zone name, or `{ name, utc }` as read (`timezoneName` wins)',
  })
  @IsTimeZoneField()
  timezone: string | { name: string; utc?: string };

  @ApiPropertyOptional({ example: 'Europe/Berlin', description: "Rocket.Chat 8's form: the zone" })
  @Optional()
  @IsString({ message: 'must be an IANA time zone name' })
  @MaxLength(64, { message: 'must be an IANA time zone name' })
  timezoneName?: string;

  @ApiProperty({
    type: [WorkHourDto],
    description: 'One to seven days, each at most once; a day not listed is closed',
  })
  @IsArray({ message: 'must be an array of one to seven days' })
  @ArrayMinSize(1, { message: 'must be an array of one to seven days' })
  @ArrayMaxSize(7, { message: 'must be an array of one to seven days' })
  @IsObject({ each: true, message: 'must be an array of one to seven days' })
  @ValidateNested({ each: true })
  @Type(() => WorkHourDto)
  workHours: WorkHourDto[];

  @ApiPropertyOptional({
    example: 'id1,id2',
    description:
      'Custom schedules: comma-separated department ids that follow it (replaces the list; "" empties it)',
  })
  @Optional()
  @IsString({ message: 'must be a comma-separated string of department ids' })
  @MaxLength(65_000, { message: 'must be at most 65000 characters' })
  departmentsToApplyBusinessHour?: string;

  // Sent by Rocket.Chat's form and helpers beside the fields above; ignored.
  @ApiPropertyOptional({ type: [String], description: "The form's open days; ignored" })
  @Optional()
  @IsArray({ message: 'must be an array of day names' })
  @ArrayMaxSize(7, { message: 'must be an array of day names' })
  @IsString({ each: true, message: 'must be an array of day names' })
  daysOpen?: string[];

  @ApiPropertyOptional({ type: [Object], description: "The form's day times; ignored" })
  @Optional()
  @IsArray({ message: 'must be an array of days' })
  @ArrayMaxSize(7, { message: 'must be an array of days' })
  @IsObject({ each: true, message: 'must be an array of days' })
  daysTime?: object[];

  @ApiPropertyOptional({ type: [Object], description: 'Echoed from a read; ignored' })
  @Optional()
  @IsArray({ message: 'must be an array' })
  @ArrayMaxSize(1000, { message: 'must hold at most 1000 departments' })
  @IsObject({ each: true, message: 'must be an array of objects' })
  departments?: object[];

  @ApiPropertyOptional({ description: 'Echoed from a read; ignored (server-managed)' })
  @Optional()
  @IsString({ message: 'must be a date string' })
  @MaxLength(64, { message: 'must be a date string' })
  ts?: string;

  @ApiPropertyOptional({ description: 'Echoed from a read; ignored (server-managed)' })
  @Optional()
  @IsString({ message: 'must be a date string' })
  @MaxLength(64, { message: 'must be a date string' })
  _updatedAt?: string;
}

/** `POST livechat/business-hours.remove` (Rocket.Chat 8). */
export class RemoveBusinessHourDto {
  @ApiProperty()
  @IsString({ message: 'must be a non-empty string' })
  @Length(1, 64, { message: 'must be a non-empty string' })
  _id: string;

  @ApiProperty({ enum: BUSINESS_HOUR_KINDS })
  @IsIn(BUSINESS_HOUR_KINDS, { message: 'must be default or custom' })
  type: BusinessHourKind;
}

export class ListBusinessHoursQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Case-insensitive substring of the name' })
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxLength(200, { message: 'must be at most 200 characters' })
  name?: string;
}

export class GetBusinessHourQueryDto {
  @ApiPropertyOptional()
  @Optional()
  @IsString({ message: 'must be a non-empty string' })
  @Length(1, 64, { message: 'must be a non-empty string' })
  _id?: string;

  @ApiPropertyOptional({
    enum: BUSINESS_HOUR_KINDS,
    description: 'Without _id: `default` reads the default; any other type answers null',
  })
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxLength(64, { message: 'must be at most 64 characters' })
  type?: string;
}
