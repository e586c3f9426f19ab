'use strict';
// The error classes of @azure/identity 4.14.1, with the same names, constructor signatures and
// messages, and the translation of the core's error values into them.

/** The `name` of each error class, as the reference exports them. */
const CredentialUnavailableErrorName = 'CredentialUnavailableError';
const AuthenticationErrorName = 'AuthenticationError';
const AggregateAuthenticationErrorName = 'AggregateAuthenticationError';

class CredentialUnavailableError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = CredentialUnavailableErrorName;
  }
}

function isErrorResponse(o) {
  return o && typeof o.error === 'string' && typeof o.error_description === 'string';
}

class AuthenticationError extends Error {
  constructor(statusCode, errorBody, options) {
    let errorResponse = {
      error: 'unknown',
      errorDescription: 'An unknown error occurred and no additional details are available.',
    };
    if (isErrorResponse(errorBody)) {
      errorResponse = convertOAuthErrorResponseToErrorResponse(errorBody);
    } else if (typeof errorBody === 'string') {
      try {
        const parsed = JSON.parse(errorBody);
        errorResponse = convertOAuthErrorResponseToErrorResponse(parsed);
      } catch (e) {
        if (statusCode === 400) {
          errorResponse = {
            error: 'invalid_request',
            errorDescription: `The service indicated that the request was invalid.\n\n${errorBody}`,
          };
        } else {
          errorResponse = {
            error: 'unknown_error',
            errorDescription: `An unknown error has occurred. Response body:\n\n${errorBody}`,
          };
        }
      }
    }
    super(
      `${errorResponse.error} Status code: ${statusCode}\nMore details:\n${errorResponse.errorDescription},`,
      options,
    );
    this.statusCode = statusCode;
    this.errorResponse = errorResponse;
    this.name = AuthenticationErrorName;
  }
}

function convertOAuthErrorResponseToErrorResponse(errorBody) {
  return {
    error: errorBody.error,
    errorDescription: errorBody.error_description,
    correlationId: errorBody.correlation_id,
    errorCodes: errorBody.error_codes,
    timestamp: errorBody.timestamp,
    traceId: errorBody.trace_id,
  };
}

class AggregateAuthenticationError extends Error {
  constructor(errors, errorMessage) {
    const errorDetail = errors.join('\n');
    super(`${errorMessage}\n${errorDetail}`);
    this.errors = errors;
    this.name = AggregateAuthenticationErrorName;
  }
}

class AuthenticationRequiredError extends Error {
  constructor(options) {
    super(
      options.message ||
        'Interactive authentication is required to get a token. Call authenticate() to proceed.',
      options.cause ? { cause: options.cause } : undefined,
    );
    this.scopes = options.scopes;
    this.getTokenOptions = options.getTokenOptions;
    this.name = 'AuthenticationRequiredError';
  }
}

class AbortError extends Error {
  constructor(message) {
    super(message || 'The operation was aborted.');
    this.name = 'AbortError';
  }
}

/** Gives `err` the core's message (and a stack that shows it): the core builds every message. */
function withMessage(err, message) {
  if (typeof message === 'string' && err.message !== message) {
    Object.defineProperty(err, 'message', { value: message, writable: true, configurable: true, enumerable: false });
    if (Error.captureStackTrace) Error.captureStackTrace(err, fromCore);
  }
  return err;
}

/**
 * The one table from the core's error codes to the reference's classes. Each entry only
 * constructs the class from the fields the core built (message, status, error response); the
 * core also names the class (`e.name`) and decides the code.
 */
const CLASSES = {
  CredentialUnavailable: (e) => new CredentialUnavailableError(e.message),
  AuthenticationFailed: (e) =>
    withMessage(
      new AuthenticationError(e.statusCode, {
        error: e.errorResponse.error,
        error_description: e.errorResponse.errorDescription,
      }),
      e.message,
    ),
  AuthenticationRequired: (e, ctx) =>
    new AuthenticationRequiredError({ scopes: ctx.scopes, getTokenOptions: ctx.getTokenOptions, message: e.message }),
  AggregateAuthentication: (e, ctx) =>
    withMessage(
      new AggregateAuthenticationError(
        e.errors.map((x) => fromCore(x, ctx.scopes, ctx.getTokenOptions, ctx.originals)),
        e.message.split('\n', 1)[0],
      ),
      e.message,
    ),
  Aborted: (e) => new AbortError(e.message),
};

/**
 * Turns a core `TokenError` value into the matching error class. `originals` holds the error
 * objects thrown by foreign ChainedTokenCredential members, which are passed on unchanged.
 */
function fromCore(e, scopes, getTokenOptions, originals) {
  if (e.delegateIndex !== undefined && originals && originals.has(e.delegateIndex)) {
    return originals.get(e.delegateIndex);
  }
  const make = CLASSES[e.code];
  return make ? make(e, { scopes, getTokenOptions, originals }) : new Error(e.message);
}

/** Turns an error thrown by a binding (`{ code, message }`) into the class the reference throws,
 * through the same table. */
function fromBinding(err) {
  const code = err && err.code;
  if (code === 'CredentialUnavailable') return CLASSES.CredentialUnavailable(err);
  return err instanceof Error ? new Error(err.message) : new Error(String(err));
}

module.exports = {
  CredentialUnavailableErrorName,
  AuthenticationErrorName,
  AggregateAuthenticationErrorName,
  CredentialUnavailableError,
  AuthenticationError,
  AggregateAuthenticationError,
  AuthenticationRequiredError,
  AbortError,
  fromCore,
  fromBinding,
};
