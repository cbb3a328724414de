/**
 * A value as an error message shows it after "got": a string quoted and named, so "5" and 5 read
 * differently; NaN, Infinity, undefined and null by name, where JSON would print null for the first two.
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case "string":
      return `the string ${JSON.stringify(value)}`;
    case "bigint":
      return `${value}n`;
    case "function":
      return "a function";
    case "symbol":
      return value.toString();
    case "object":
      return value === null ? "null" : describeObject(value);
    default:
      return String(value);
  }
}

function describeObject(value: object): string {
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? "an invalid Date" : `the Date ${value.toISOString()}`;
  try {
    return JSON.stringify(value);
  } catch {
    return `a ${value.constructor?.name ?? "object"}`;
  }
}
