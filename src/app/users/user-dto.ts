import { t } from "elysia";
import type { UserRecord } from "../db/records.ts";

/** What clients see of a user: never the password hash. */
export const UserDto = t.Object({
  id: t.String(),
  email: t.String(),
  displayName: t.String(),
  confirmed: t.Boolean(),
  createdAt: t.String({ format: "date-time" }),
});
export type UserDto = typeof UserDto.static;

export function toUserDto(user: UserRecord): UserDto {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    confirmed: user.confirmedAt !== null,
    createdAt: new Date(user.createdAt).toISOString(),
  };
}
