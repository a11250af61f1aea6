import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsString, Length } from 'class-validator';
import { Optional } from '../common/validation';

/** Rocket.Chat's way of naming a user in a body: `userId`, or `username` (any case), or `user`. */
export class UserParamsDto {
  @ApiPropertyOptional()
  @Optional()
  @IsString()
  @Length(0, 64)
  userId?: string;

  @ApiPropertyOptional()
  @Optional()
  @IsString()
  @Length(0, 256)
  username?: string;

  @ApiPropertyOptional({ description: 'A username, as `username`' })
  @Optional()
  @IsString()
  @Length(0, 256)
  user?: string;
}

export class DeleteUserDto extends UserParamsDto {
  /** Rocket.Chat's room-ownership confirmation; this service has no rooms, so it changes nothing. */
  @ApiPropertyOptional()
  @Optional()
  @IsBoolean()
  confirmRelinquish?: boolean;
}

export class SetUserStatusDto extends UserParamsDto {
  @ApiPropertyOptional({ enum: ['online', 'away', 'busy', 'offline'] })
  @Optional()
  @IsString()
  @Length(0, 64)
  status?: string;

  @ApiPropertyOptional({ description: 'The status message (kept to 120 characters)' })
  @Optional()
  @IsString()
  @Length(0, 1024)
  message?: string;
}

export class SetActiveStatusDto {
  @ApiProperty()
  @IsString()
  @Length(1, 64)
  userId: string;

  @ApiProperty()
  @IsBoolean()
  activeStatus: boolean;

  @ApiPropertyOptional()
  @Optional()
  @IsBoolean()
  confirmRelinquish?: boolean;
}
