import { Button } from "@react-email/button";
import { Heading } from "@react-email/heading";
import { Link } from "@react-email/link";
import { Text } from "@react-email/text";
import { type Static, Type } from "@sinclair/typebox";
import { button, heading, Layout, paragraph } from "./layout.tsx";

export const PasswordResetPropsSchema = Type.Object(
  {
    displayName: Type.String({ minLength: 1, maxLength: 200 }),
    resetUrl: Type.String({ pattern: "^https?://" }),
    expiresInMinutes: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);
export type PasswordResetProps = Static<typeof PasswordResetPropsSchema>;

export const PreviewProps: PasswordResetProps = {
  displayName: "Ada Lovelace",
  resetUrl: "http://localhost:3000/reset?token=preview-token",
  expiresInMinutes: 30,
};

export const subject = (_props: PasswordResetProps): string => "Reset your password";

/** Sent on a reset request; the link expires, so the mail says when. */
export function PasswordReset({ displayName, resetUrl, expiresInMinutes }: PasswordResetProps) {
  return (
    <Layout preview="Reset your password">
      <Heading style={heading}>Reset your password</Heading>
      <Text style={paragraph}>Hello {displayName},</Text>
      <Text style={paragraph}>
        Someone asked to reset the password of your account. The link below works for {expiresInMinutes} minutes.
      </Text>
      <Button href={resetUrl} style={button}>
        Choose a new password
      </Button>
      <Text style={paragraph}>
        Or paste this link into your browser: <Link href={resetUrl}>{resetUrl}</Link>
      </Text>
      <Text style={paragraph}>If you did not ask for this, ignore this mail: your password stays as it is.</Text>
    </Layout>
  );
}
PasswordReset.PreviewProps = PreviewProps;
export default PasswordReset;
