/**
 * Errors that carry their HTTP answer. Anything else reaching the error handler is a 500 whose
 * details stay in the log, never in the response.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }

  toJSON(): Record<string, unknown> {
    return { error: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

export class BadRequestError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(400, 'bad_request', message, details);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'missing or invalid bearer token', code = 'unauthorized') {
    super(401, code, message);
  }
}

/** 403: the caller is known (or showed a credential) that does not allow this request. */
export class ForbiddenError extends AppError {
  constructor(code: string, message: string) {
    super(403, code, message);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super(404, 'not_found', message);
  }
}

/** 409: the order's state does not allow the request (wrong owner, wrong order, conflicting data). */
export class ConflictError extends AppError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(409, code, message, details);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message: string) {
    super(413, 'payload_too_large', message);
  }
}

/** Schema validation issues (zod) as a 400 naming each offending field. */
export function validationError(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): BadRequestError {
  const fields = issues.map((i) => ({ field: i.path.map(String).join('.') || '(body)', problem: i.message }));
  return new BadRequestError(`invalid request: ${fields.map((f) => `${f.field}: ${f.problem}`).join('; ')}`, {
    fields,
  });
}
