/**
 * An error that reaches the client as a Rocket.Chat envelope. Services throw these;
 * the exception filter is the only place that turns them into HTTP responses.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    /** Text before the ` [errorType]` suffix; `null` means the error text is the bare errorType. */
    readonly text: string | null,
    readonly details?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
    /** The client sees `text` alone as `error`, without the ` [errorType]` suffix. */
    readonly textOnly = false,
  ) {
    super(text ?? errorType);
  }

  /**
   * 400 `invalid-params` worded as Rocket.Chat's `check()` words it, which its clients and
   * tests compare exactly: `error: "Match error: Missing key 'upsert'"`, no suffix.
   */
  static matchError(text: string): ApiError {
    return new ApiError(400, 'invalid-params', text, undefined, undefined, true);
  }

  /** 400 with `error: "<text> [<errorType>]"`. */
  static badRequest(errorType: string, text: string, details?: Record<string, unknown>): ApiError {
    return new ApiError(400, errorType, text, details);
  }

  /** 400 with `error: "<errorType>"`, the shape some Rocket.Chat endpoints answer with. */
  static bareBadRequest(errorType: string): ApiError {
    return new ApiError(400, errorType, null);
  }

  static invalidParams(text: string): ApiError {
    return ApiError.badRequest('invalid-params', text);
  }

  static departmentNotFound(): ApiError {
    return ApiError.badRequest('error-department-not-found', 'Department not found');
  }

  static unitNotFound(): ApiError {
    return ApiError.badRequest('error-unit-not-found', 'Unit not found');
  }

  static forbidden(): ApiError {
    return new ApiError(
      403,
      'error-unauthorized',
      'User does not have the permissions required for this action',
    );
  }

  static tooManyRequests(retryAfterSeconds: number): ApiError {
    return new ApiError(429, 'error-too-many-requests', 'Too many requests', undefined, {
      'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))),
    });
  }

  static preconditionFailed(): ApiError {
    return new ApiError(
      412,
      'error-precondition-failed',
      'The department changed since it was read',
    );
  }
}

/** 401 answers have their own shape (Rocket.Chat's), so they are not ApiErrors. */
export class UnauthenticatedError extends Error {
  constructor(readonly kind: 'missing-or-invalid-token' | 'login-failed') {
    super(kind);
  }
}
