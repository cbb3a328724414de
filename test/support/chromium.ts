// Debian's Chromium, which the browser tests drive (apt-get install chromium). A test file that imports
// this module needs it: `bun run test:unit` leaves it out (test/tiers.ts).
export const chromiumPath = "/usr/bin/chromium";
