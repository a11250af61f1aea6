import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
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
import { IsId } from '../../departments/dto/department.dto';
import { PageQueryDto } from '../../departments/dto/department-queries.dto';
import { UNIT_VISIBILITIES, UnitVisibility } from '../unit.schema';

export const MAX_UNIT_MONITORS = 100;
export const MAX_UNIT_DEPARTMENTS = 1000;

export class UnitDataDto {
  @ApiProperty({ example: 'Europe', maxLength: 256 })
  @IsString({ message: 'must be a non-empty string' })
  @Matches(/\S/, { message: 'must be a non-empty string' })
  @MaxLength(256, { message: 'must be at most 256 characters' })
  name: string;

  @ApiProperty({ enum: UNIT_VISIBILITIES })
  @IsIn(UNIT_VISIBILITIES, { message: 'must be public or private' })
  visibility: UnitVisibility;

  // Rocket.Chat's unit form sends these two; Rocket.Chat stores neither, nor do we.
  @ApiPropertyOptional({ description: 'Accepted and ignored, as Rocket.Chat does' })
  @Optional()
  @IsBoolean({ message: 'must be a boolean' })
  enabled?: boolean;

  @ApiPropertyOptional({ description: 'Accepted and ignored, as Rocket.Chat does', maxLength: 4096 })
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxLength(4096, { message: 'must be at most 4096 characters' })
  description?: string;
}

export class UnitMonitorDto {
  @ApiProperty({
    description: 'A user with the livechat-monitor role; anybody else is left out, as in Rocket.Chat',
  })
  @IsId()
  monitorId: string;

  @ApiProperty({ description: "Sent by Rocket.Chat's forms; the stored username is the user's own" })
  @IsString({ message: 'must be a non-empty string' })
  @Length(1, 256, { message: 'must be a non-empty string' })
  username: string;
}

export class UnitDepartmentDto {
  @ApiProperty()
  @IsId()
  departmentId: string;
}

/** `POST livechat/units[/:id]`: the unit and its complete sets of monitors and departments. */
export class SaveUnitDto {
  @ApiProperty({ type: UnitDataDto })
  @IsObject({ message: 'must be an object' })
  @ValidateNested()
  @Type(() => UnitDataDto)
  unitData: UnitDataDto;

  @ApiProperty({ type: [UnitMonitorDto], maxItems: MAX_UNIT_MONITORS })
  @IsArray({ message: 'must be an array' })
  @ArrayMaxSize(MAX_UNIT_MONITORS, { message: `must hold at most ${MAX_UNIT_MONITORS} monitors` })
  @IsObject({ each: true, message: 'must be an array of objects' })
  @ValidateNested({ each: true })
  @Type(() => UnitMonitorDto)
  unitMonitors: UnitMonitorDto[];

  @ApiProperty({ type: [UnitDepartmentDto], maxItems: MAX_UNIT_DEPARTMENTS })
  @IsArray({ message: 'must be an array' })
  @ArrayMaxSize(MAX_UNIT_DEPARTMENTS, {
    message: `must hold at most ${MAX_UNIT_DEPARTMENTS} departments`,
  })
  @IsObject({ each: true, message: 'must be an array of objects' })
  @ValidateNested({ each: true })
  @Type(() => UnitDepartmentDto)
  unitDepartments: UnitDepartmentDto[];
}

export class TextPageQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Case-insensitive substring of the name' })
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxLength(256, { message: 'must be at most 256 characters' })
  text?: string;
}
