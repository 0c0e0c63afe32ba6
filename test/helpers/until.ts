// Polls a condition that becomes true asynchronously (a reload, a reconnect, a write that lands
// in the background) until it holds or the time is up; the result is the last check's.
export async function until(check: () => boolean | Promise<boolean>, ms = 5000, stepMs = 25): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return check();
}
