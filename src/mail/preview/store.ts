import type { OutgoingMail } from "../transport.ts";

/** A mail the preview transport kept instead of sending. */
export interface PreviewMail extends OutgoingMail {
  id: string;
  idempotencyKey: string | null;
  createdAt: number;
}

export type PreviewMailSummary = Pick<PreviewMail, "id" | "to" | "subject" | "createdAt">;

/** Where the preview transport keeps mails; the `/dev/mail` page reads them back. */
export interface PreviewStore {
  /** Keeps the mail; a repeated idempotency key keeps nothing new and returns the first mail. */
  save(mail: OutgoingMail, idempotencyKey: string | undefined): Promise<PreviewMail>;
  /** Newest first. */
  list(limit: number): Promise<PreviewMailSummary[]>;
  get(id: string): Promise<PreviewMail | null>;
  clear(): Promise<void>;
  close(): Promise<void>;
}
