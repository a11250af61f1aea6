import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsObject, IsString, MaxLength } from 'class-validator';

const DOCUMENT_DESCRIPTION =
  'A configuration document as `GET livechat/configuration` answers it: `format`, `version`, and ' +
  'the sections `departments`, `units`, `businessHours`, `settings` (a section left out is not touched)';

/** Body of `POST livechat/configuration.plan`. */
export class PlanConfigurationDto {
  @ApiProperty({ type: 'object', additionalProperties: true, description: DOCUMENT_DESCRIPTION })
  @IsDefined({ message: 'is required' })
  @IsObject({ message: 'must be an object' })
  configuration: Record<string, unknown>;
}

/** Body of `POST livechat/configuration.apply`. */
export class ApplyConfigurationDto extends PlanConfigurationDto {
  @ApiProperty({ description: "The plan's `basedOn` (the version the plan was made against)" })
  @IsDefined({ message: 'is required' })
  @IsString({ message: 'must be a string' })
  @MaxLength(64, { message: 'must be at most 64 characters' })
  basedOn: string;
}
