import { Body } from "@react-email/body";
import { Container } from "@react-email/container";
import { Head } from "@react-email/head";
import { Hr } from "@react-email/hr";
import { Html } from "@react-email/html";
import { Preview } from "@react-email/preview";
import { Section } from "@react-email/section";
import { Text } from "@react-email/text";
import type { ReactNode } from "react";

const body = { backgroundColor: "#f4f4f5", fontFamily: "Helvetica, Arial, sans-serif", margin: 0, padding: "24px 0" };
const card = { backgroundColor: "#ffffff", borderRadius: "8px", margin: "0 auto", maxWidth: "560px", padding: "32px" };
const footer = { color: "#71717a", fontSize: "12px", lineHeight: "18px" };

/** The frame every Errand mail shares: preview line, card, footer. */
export function Layout({ preview, children }: { preview: string; children: ReactNode }) {
  return (
    <Html lang="en">
      <Head />
      <Preview>{preview}</Preview>
      <Body style={body}>
        <Container style={card}>
          <Section>{children}</Section>
          <Hr />
          <Text style={footer}>
            You received this mail because of an action on your account. If it was not you, ignore it.
          </Text>
        </Container>
      </Body>
    </Html>
  );
}

export const heading = { color: "#18181b", fontSize: "22px", fontWeight: 600, margin: "0 0 16px" };
export const paragraph = { color: "#27272a", fontSize: "15px", lineHeight: "24px" };
export const button = {
  backgroundColor: "#2563eb",
  borderRadius: "6px",
  color: "#ffffff",
  display: "inline-block",
  fontSize: "15px",
  fontWeight: 600,
  padding: "12px 20px",
  textDecoration: "none",
};
