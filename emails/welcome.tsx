import { Button } from "@react-email/button";
import { Heading } from "@react-email/heading";
import { Text } from "@react-email/text";
import { type Static, Type } from "@sinclair/typebox";
import { button, heading, Layout, paragraph } from "./layout.tsx";

export const WelcomePropsSchema = Type.Object(
  {
    displayName: Type.String({ minLength: 1, maxLength: 200 }),
    appUrl: Type.String({ pattern: "^https?://" }),
  },
  { additionalProperties: false },
);
export type WelcomeProps = Static<typeof WelcomePropsSchema>;

export const PreviewProps: WelcomeProps = { displayName: "Ada Lovelace", appUrl: "http://localhost:3000" };

export const subject = ({ displayName }: WelcomeProps): string => `Welcome aboard, ${displayName}`;

/** Sent once the account is confirmed. */
export function Welcome({ displayName, appUrl }: WelcomeProps) {
  return (
    <Layout preview="Your account is ready">
      <Heading style={heading}>Welcome, {displayName}!</Heading>
      <Text style={paragraph}>Your account is confirmed and ready to use.</Text>
      <Button href={appUrl} style={button}>
        Open the app
      </Button>
    </Layout>
  );
}
Welcome.PreviewProps = PreviewProps;
export default Welcome;
