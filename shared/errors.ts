/** Domain errors: each knows its HTTP status; one mapper (shared/http/respond.ts) uses it. */
export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  constructor(
    message: string,
    readonly fields?: Record<string, string>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  readonly status = 400;
  readonly code = 'invalid_request';
}
export class UnauthorizedError extends AppError {
  readonly status = 401;
  readonly code = 'unauthorized';
}
export class ForbiddenError extends AppError {
  readonly status = 403;
  readonly code = 'forbidden';
}
export class NotFoundError extends AppError {
  readonly status = 404;
  readonly code = 'not_found';
}
export class ConflictError extends AppError {
  readonly status = 409;
  readonly code = 'conflict';
}
export class PayloadTooLargeError extends AppError {
  readonly status = 413;
  readonly code = 'payload_too_large';
}
export class UnsupportedMediaTypeError extends AppError {
  readonly status = 415;
  readonly code = 'unsupported_media_type';
}
