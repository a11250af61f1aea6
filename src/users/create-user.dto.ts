import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsString,
  Length,
  Matches,
} from 'class-validator';
import { Optional } from '../common/validation';
import { USER_ROLES } from '../permissions/defaults';

export class CreateUserDto {
  @ApiProperty({ example: 'agent.smith' })
  @IsString()
  @Matches(/^[0-9a-zA-Z-_.]{1,64}$/, {
    message: 'must be 1-64 letters, digits, dots, dashes or underscores',
  })
  username: string;

  @ApiProperty({ example: 'agent.smith@example.com' })
  @IsString()
  @Length(3, 254)
  @IsEmail({ require_tld: false }, { message: 'must be an e-mail address' })
  email: string;

  @ApiProperty()
  @IsString()
  @Length(1, 1024)
  password: string;

  @ApiProperty()
  @IsString()
  @Length(1, 256)
  name: string;

  @ApiPropertyOptional({ enum: USER_ROLES, isArray: true })
  @Optional()
  @IsArray()
  @ArrayMaxSize(USER_ROLES.length)
  @IsIn(USER_ROLES, { each: true, message: `each value must be one of ${USER_ROLES.join(', ')}` })
  roles?: string[];

  @ApiPropertyOptional()
  @Optional()
  @IsBoolean()
  active?: boolean;
}
