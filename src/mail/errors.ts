/** Base class of every error the mailer throws. */
export class MailError extends Error {
  override name = "MailError";
}

/** `send`/`enqueue` named a template the registry does not have (only possible from untyped input). */
export class UnknownTemplateError extends MailError {
  override name = "UnknownTemplateError";
  constructor(
    readonly template: string,
    known: readonly string[],
  ) {
    super(
      `Unknown mail template "${template}". Registered templates: ${known.map((k) => `"${k}"`).join(", ") || "none"}.`,
    );
  }
}

/** The props do not match the template's schema; nothing was rendered, sent or queued. */
export class InvalidMailPropsError extends MailError {
  override name = "InvalidMailPropsError";
  constructor(
    readonly template: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid props for mail template "${template}": ${problems.join("; ")}`);
  }
}

/** A recipient is not an email address; nothing was sent or queued. */
export class InvalidRecipientError extends MailError {
  override name = "InvalidRecipientError";
  constructor(readonly recipient: string) {
    super(`"${recipient}" is not an email address. Pass "name@example.com" or "Name <name@example.com>".`);
  }
}

/** The mailer is missing a setting it needs (a sender address, an API key, a database). */
export class MailConfigError extends MailError {
  override name = "MailConfigError";
}

/**
 * The provider did not accept the mail. `retryable` says whether sending the same request again can
 * succeed: the mail job retries those and sends the rest to dead at once.
 */
export abstract class MailDeliveryError extends MailError {
  abstract readonly retryable: boolean;
  constructor(
    message: string,
    /** HTTP status, or null when no response arrived (network error, timeout). */
    readonly statusCode: number | null,
    /** The provider's own error code, e.g. Resend's `validation_error`. */
    readonly providerCode: string,
  ) {
    super(message);
  }
}

/** 429: the provider's rate limit; retry no sooner than `retryAfterMs`. */
export class MailRateLimitedError extends MailDeliveryError {
  override name = "MailRateLimitedError";
  readonly retryable = true;
  constructor(
    message: string,
    providerCode: string,
    readonly retryAfterMs: number,
  ) {
    super(message, 429, providerCode);
  }
}

/** 5xx, network failure or timeout: the provider may be fine a moment later; retry with backoff. */
export class MailTransientError extends MailDeliveryError {
  override name = "MailTransientError";
  readonly retryable = true;
}

/** 4xx other than 429 (invalid address, unverified domain, bad key): sending it again cannot succeed. */
export class MailRejectedError extends MailDeliveryError {
  override name = "MailRejectedError";
  readonly retryable = false;
}
