import { defineTemplate } from "errand/mail";
import * as confirmation from "./confirmation.tsx";
import * as passwordReset from "./password-reset.tsx";
import * as welcome from "./welcome.tsx";

/** The app's mail templates, by the name `mail.send(name, ...)` takes. */
export const emailTemplates = {
  confirmation: defineTemplate({
    schema: confirmation.ConfirmationPropsSchema,
    component: confirmation.Confirmation,
    subject: confirmation.subject,
    previewProps: confirmation.PreviewProps,
  }),
  welcome: defineTemplate({
    schema: welcome.WelcomePropsSchema,
    component: welcome.Welcome,
    subject: welcome.subject,
    previewProps: welcome.PreviewProps,
  }),
  "password-reset": defineTemplate({
    schema: passwordReset.PasswordResetPropsSchema,
    component: passwordReset.PasswordReset,
    subject: passwordReset.subject,
    previewProps: passwordReset.PreviewProps,
  }),
};
export type EmailTemplates = typeof emailTemplates;
