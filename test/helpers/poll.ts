// Waiting for a condition that another process or thread brings about: ask again every few
// milliseconds until it holds, and fail with what was awaited once the deadline passes.

/** Resolves with the first result of `probe` that is not undefined; rejects after `ms`. */
export async function pollUntil<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 5000, every = 10): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const result = await probe();
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise<void>((resolve) => setTimeout(resolve, every));
  }
}
