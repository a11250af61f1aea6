import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsString, Length, Matches, MaxLength } from 'class-validator';

/** No control character anywhere (a quoted local part could otherwise carry them). */
// eslint-disable-next-line no-control-regex -- control characters are what is refused
const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$/;
import { Optional } from '../../common/validation';

/** `POST livechat/offline.message`: what the widget's "Leave a message" form sends. */
export class OfflineMessageDto {
  @ApiProperty({ example: 'Ada Lovelace' })
  @IsString()
  @Length(1, 200, { message: 'name is required (at most 200 characters)' })
  name: string;

  @ApiProperty({ example: 'ada@example.com' })
  @IsString()
  @MaxLength(254)
  @Matches(NO_CONTROL_CHARACTERS, { message: 'email must not contain control characters' })
  @IsEmail(
    { allow_display_name: false, require_tld: false },
    { message: 'email must be a valid e-mail address' },
  )
  email: string;

  @ApiProperty({ example: 'Do you ship to Lisbon?' })
  @IsString()
  @Length(1, 10_000, { message: 'message is required (at most 10000 characters)' })
  message: string;

  @ApiPropertyOptional({ description: 'A department id, or "" for none' })
  @Optional()
  @IsString()
  @MaxLength(64)
  department?: string;

  @ApiPropertyOptional({ description: 'The page the visitor is on (stored with the message)' })
  @Optional()
  @IsString()
  @MaxLength(2048)
  host?: string;
}

/** `POST livechat/mail.test`: where the test e-mail goes. */
export class MailTestDto {
  @ApiProperty({ example: 'admin@example.com' })
  @IsString()
  @MaxLength(254)
  @IsEmail(
    { allow_display_name: false, require_tld: false },
    { message: 'to must be a valid e-mail address' },
  )
  to: string;
}
