import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDefined,
  IsString,
  Length,
  ValidateNested,
  ArrayMinSize,
} from 'class-validator';

export class PermissionChangeDto {
  @ApiProperty()
  @IsString()
  @Length(1, 128)
  _id: string;

  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(1, 128, { each: true })
  roles: string[];
}

export class UpdatePermissionsDto {
  @ApiProperty({ type: [PermissionChangeDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => PermissionChangeDto)
  permissions: PermissionChangeDto[];
}

export class SetSettingDto {
  @ApiProperty({ description: 'boolean or string, depending on the setting' })
  @IsDefined()
  value: unknown;
}
