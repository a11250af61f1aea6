import { ValidationError, ValidationPipe } from '@nestjs/common';
import { IsDefined, ValidateIf } from 'class-validator';
import { ApiError } from './api-error';

/** Messages in Rocket.Chat's `check()` wording start so, and reach the client as they are. */
export const MATCH_ERROR = 'Match error:';
const MATCH_MISSING_KEY = `${MATCH_ERROR} Missing key`;

/**
 * A required field whose absence Rocket.Chat's clients and tests expect in `check()`'s
 * words: `Match error: Missing key 'agentId' in field upsert[0]`.
 */
export function MatchRequired(): PropertyDecorator {
  return IsDefined({ message: MATCH_MISSING_KEY });
}

/** A field path as `check()` writes it: `upsert.0.agentId` is `upsert[0].agentId`. */
export function matchPath(path: string): string {
  return path.replace(/\.(\d+)(?=\.|$)/g, '[$1]');
}

/**
 * The global ValidationPipe: unknown keys are rejected, and the first failure
 * becomes `"<field.path> <rule> [invalid-params]"`, naming the offending field, or
 * Rocket.Chat's `Match error: …` text where a DTO asks for it.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    stopAtFirstError: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const text = describeFirst(errors) ?? 'Invalid parameters';
      return text.startsWith(MATCH_ERROR) ? ApiError.matchError(text) : ApiError.invalidParams(text);
    },
  });
}

function describeFirst(errors: ValidationError[], parentPath = ''): string | undefined {
  for (const error of errors) {
    const path = parentPath ? `${parentPath}.${error.property}` : error.property;
    const constraints = error.constraints ?? {};
    if (constraints.whitelistValidation) return `${path} is not allowed`;
    const message = Object.values(constraints)[0];
    if (message === MATCH_MISSING_KEY) {
      const field = parentPath ? ` in field ${matchPath(parentPath)}` : '';
      return `${MATCH_MISSING_KEY} '${error.property}'${field}`;
    }
    if (message?.startsWith(MATCH_ERROR)) return message;
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
