import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsObject,
  IsString,
  Length,
  Matches,
  MaxLength,
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

  @ApiProperty({ example: 'Europe/Berlin', description: 'IANA time zone name' })
  @IsString({ message: 'must be an IANA time zone name' })
  @MaxLength(64, { message: 'must be an IANA time zone name' })
  timezone: string;

  @ApiProperty({ type: [WorkHourDto], description: 'Seven entries, one per day' })
  @IsArray({ message: 'must be an array of seven days' })
  @ArrayMinSize(7, { message: 'must be an array of seven days' })
  @ArrayMaxSize(7, { message: 'must be an array of seven days' })
  @IsObject({ each: true, message: 'must be an array of seven days' })
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

  @ApiPropertyOptional({ enum: BUSINESS_HOUR_KINDS })
  @Optional()
  @IsIn(BUSINESS_HOUR_KINDS, { message: 'must be default or custom' })
  type?: BusinessHourKind;
}
