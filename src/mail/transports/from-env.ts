import type { PreviewStore } from "../preview/store.ts";
import type { TokenBucketOptions } from "../rate-limiter.ts";
import type { MailTransport } from "../transport.ts";
import { previewTransport } from "./preview.ts";
import { resendTransport } from "./resend.ts";

export interface MailEnv {
  RESEND_API_KEY?: string | undefined;
  RESEND_BASE_URL?: string | undefined;
}

/**
 * Resend when RESEND_API_KEY is set, else the preview transport (mails kept in `previewStore()` and
 * shown at /dev/mail), so `bun run dev` works on a fresh machine without a provider account.
 */
export function transportFromEnv(
  env: MailEnv,
  previewStore: () => PreviewStore,
  options: { rateLimit?: TokenBucketOptions; timeoutMs?: number } = {},
): MailTransport {
  if (!env.RESEND_API_KEY) return previewTransport(previewStore());
  return resendTransport({
    apiKey: env.RESEND_API_KEY,
    ...(env.RESEND_BASE_URL ? { baseUrl: env.RESEND_BASE_URL } : {}),
    ...options,
  });
}
