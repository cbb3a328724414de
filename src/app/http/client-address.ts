import { BlockList, isIP } from "node:net";

/**
 * Which peers may tell the app who the client is, through `X-Forwarded-For` (TRUST_PROXY):
 * - `none`: nobody; the client is the socket's peer (the default: a header anyone can send is no address);
 * - `hops`: that many proxies always stand in front of the app; the client is the address the outermost
 *   one saw. Only safe when the app cannot be reached except through them;
 * - `cidrs`: peers in these networks are proxies; the client is the nearest address outside them.
 */
export type TrustProxy =
  | { kind: "none" }
  | { kind: "hops"; hops: number }
  | { kind: "cidrs"; cidrs: readonly string[]; list: BlockList };

export const trustNobody: TrustProxy = { kind: "none" };

/** Parses TRUST_PROXY: empty or `0` (nobody), a hop count (1–20), or a comma-separated list of IPs and CIDRs. */
export function parseTrustProxy(raw: string | undefined): TrustProxy | { error: string } {
  const value = raw?.trim() ?? "";
  if (value === "" || value === "0" || value.toLowerCase() === "false") return trustNobody;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return hops <= 20 ? { kind: "hops", hops } : { error: "a hop count from 0 to 20, or IPs and CIDRs" };
  }
  const list = new BlockList();
  const cidrs: string[] = [];
  for (const entry of value.split(",").map((part) => part.trim())) {
    const [address = "", prefix, extra] = entry.split("/");
    const family = isIP(address);
    const bits = prefix === undefined ? (family === 6 ? 128 : 32) : Number(prefix);
    const max = family === 6 ? 128 : 32;
    if (family === 0 || extra !== undefined || !/^\d*$/.test(prefix ?? "") || !(bits >= 0 && bits <= max)) {
      return { error: `IPs and CIDRs (such as 10.0.0.0/8, fd00::/8) or a hop count; "${entry}" is neither` };
    }
    list.addSubnet(address, bits, family === 6 ? "ipv6" : "ipv4");
    cidrs.push(entry);
  }
  return { kind: "cidrs", cidrs, list };
}

/**
 * The client's address: the socket peer, or, when the peer is a trusted proxy, the address taken from
 * `X-Forwarded-For` by walking it from the right (each proxy appends the peer it saw) past trusted hops.
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | null, trust: TrustProxy): string {
  const socket = peer ?? "local";
  if (trust.kind === "none" || forwardedFor === null) return socket;
  // Nearest first: the socket peer, then the entries the proxies appended, right to left.
  const chain = [
    socket,
    ...forwardedFor
      .split(",")
      .map((entry) => entry.trim())
      .reverse(),
  ];
  if (trust.kind === "hops") {
    const candidate = chain[Math.min(trust.hops, chain.length - 1)]!;
    // A proxy appends addresses; anything else there came from the client and names no one.
    return isIP(candidate) ? candidate : socket;
  }
  for (let i = 0; i < chain.length; i++) {
    const address = chain[i]!;
    const family = isIP(address);
    if (family === 0) return i === 0 ? socket : chain[i - 1]!;
    if (!trust.list.check(address, family === 6 ? "ipv6" : "ipv4")) return address;
  }
  // Every hop is a trusted proxy: the farthest one is the best address there is.
  return chain.at(-1)!;
}
