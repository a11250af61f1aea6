import { ApiProperty } from '@nestjs/swagger';
import { USER_ROLES } from './defaults';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsObject,
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
  @IsIn(USER_ROLES, { each: true, message: `each role must be one of ${USER_ROLES.join(', ')}` })
  roles: string[];
}

export class UpdatePermissionsDto {
  @ApiProperty({ type: [PermissionChangeDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsObject({ each: true, message: 'must be an array of objects' })
  @ValidateNested({ each: true })
  @Type(() => PermissionChangeDto)
  permissions: PermissionChangeDto[];
}
