import { ApiProperty } from '@nestjs/swagger';
import { IsDefined } from 'class-validator';

export class SetSettingDto {
  @ApiProperty({ description: 'boolean or string, depending on the setting' })
  @IsDefined()
  value: unknown;
}
