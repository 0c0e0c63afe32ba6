// A fetch Response body read up to a byte limit: the stream is cancelled as soon as it passes the
// limit, so a hostile or broken server cannot make the service buffer more than that.

/** The body's bytes, or null when it passed `limit` bytes (the rest is not read). */
export async function readBounded(res: Response, limit: number): Promise<Buffer<ArrayBuffer> | null> {
  if (!res.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
