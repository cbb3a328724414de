import { Button } from "@react-email/button";
import { Heading } from "@react-email/heading";
import { Link } from "@react-email/link";
import { Text } from "@react-email/text";
import { type Static, Type } from "@sinclair/typebox";
import { button, heading, Layout, paragraph } from "./layout.tsx";

export const ConfirmationPropsSchema = Type.Object(
  {
    /** Optional: leave it out when the address is not verified yet, since the registrant chose the name. */
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    confirmUrl: Type.String({ pattern: "^https?://" }),
  },
  { additionalProperties: false },
);
export type ConfirmationProps = Static<typeof ConfirmationPropsSchema>;

export const PreviewProps: ConfirmationProps = {
  displayName: "Ada Lovelace",
  confirmUrl: "http://localhost:3000/api/users/confirm?token=preview-token",
};

export const subject = (_props: ConfirmationProps): string => "Confirm your account";

/** Sent right after registration: the account works only once this link is followed. */
export function Confirmation({ displayName, confirmUrl }: ConfirmationProps) {
  return (
    <Layout preview="Confirm your account to start using it">
      <Heading style={heading}>Confirm your account</Heading>
      <Text style={paragraph}>{displayName ? `Hello ${displayName},` : "Hello,"}</Text>
      <Text style={paragraph}>
        Someone signed up with this email address. If it was you, confirm it to activate your account; you will be asked
        for the password you chose. If it was not you, ignore this mail.
      </Text>
      <Button href={confirmUrl} style={button}>
        Confirm my account
      </Button>
      <Text style={paragraph}>
        Or paste this link into your browser: <Link href={confirmUrl}>{confirmUrl}</Link>
      </Text>
    </Layout>
  );
}
Confirmation.PreviewProps = PreviewProps;
export default Confirmation;
