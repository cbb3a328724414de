/**
 * `errand healthcheck`: the container's HEALTHCHECK without curl. Asks the running server's readiness
 * endpoint on loopback; true only for a 200 within the timeout.
 */
export async function probeReady(port: number, timeoutMs = 2000): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(timeoutMs) });
    return response.status === 200;
  } catch {
    return false;
  }
}
