import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ValidateIf } from 'class-validator';
import { ApiError } from './api-error';

/**
 * The global ValidationPipe: unknown keys are rejected, and the first failure
 * becomes `"<field.path> <rule> [invalid-params]"`, naming the offending field.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    stopAtFirstError: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) =>
      ApiError.invalidParams(describeFirst(errors) ?? 'Invalid parameters'),
  });
}

function describeFirst(errors: ValidationError[], parentPath = ''): string | undefined {
  for (const error of errors) {
    const path = parentPath ? `${parentPath}.${error.property}` : error.property;
    const constraints = error.constraints ?? {};
    if (constraints.whitelistValidation) return `${path} is not allowed`;
    const message = Object.values(constraints)[0];
    if (message !== undefined) {
      // class-validator's default messages start with the bare property name.
      const rule = message.startsWith(`${error.property} `)
        ? message.slice(error.property.length + 1)
        : message;
      return `${path} ${rule}`;
    }
    const nested = describeFirst(error.children ?? [], path);
    if (nested) return nested;
  }
  return undefined;
}

/**
 * The field may be omitted, but `null` is validated (and so rejected) like any other
 * value: class-validator's IsOptional would let `null` through to the database.
 */
export function Optional(): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined);
}
