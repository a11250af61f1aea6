import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsString,
  Length,
  registerDecorator,
  ValidationArguments,
  ValidationOptions,
} from 'class-validator';
import { Optional } from '../common/validation';

export interface PasswordDigest {
  digest: string;
  algorithm: 'sha-256';
}

/** A plain password, or Meteor's `{ digest: <sha256 hex>, algorithm: "sha-256" }`. */
function IsPasswordInput(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isPasswordInput',
      target: target.constructor,
      propertyName,
      options,
      validator: {
        validate(value: unknown): boolean {
          if (typeof value === 'string') return value.length > 0 && value.length <= 1024;
          if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
          const keys = Object.keys(value).sort();
          const { digest, algorithm } = value as Record<string, unknown>;
          return (
            keys.length === 2 &&
            keys[0] === 'algorithm' &&
            keys[1] === 'digest' &&
            algorithm === 'sha-256' &&
            typeof digest === 'string' &&
            /^[0-9a-f]{64}$/i.test(digest)
          );
        },
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property ?? 'password'} must be a non-empty string or { digest, algorithm: "sha-256" }`,
      },
    });
}

export class LoginDto {
  @ApiPropertyOptional({ description: 'Username or e-mail address' })
  @Optional()
  @IsString()
  @Length(1, 256)
  user?: string;

  @ApiPropertyOptional()
  @Optional()
  @IsString()
  @Length(1, 256)
  username?: string;

  @ApiPropertyOptional()
  @Optional()
  @IsString()
  @Length(1, 256)
  email?: string;

  @ApiProperty({
    oneOf: [
      { type: 'string' },
      {
        type: 'object',
        properties: {
          digest: { type: 'string' },
          algorithm: { type: 'string', enum: ['sha-256'] },
        },
      },
    ],
  })
  @IsPasswordInput()
  password: string | PasswordDigest;
}
