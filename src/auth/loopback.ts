// Which listen addresses count as loopback: the only ones the service may serve without caller
// authentication (like OPA 1.0's default of localhost:8181).

/** 127.0.0.0/8, ::1 (bracketed or not), ::ffff:127.x.x.x, or the name "localhost". Anything else —
 * 0.0.0.0, ::, a routable address, another host name — is not (a name is not resolved here: one
 * that happens to resolve to loopback still counts as reachable from elsewhere). */
export function isLoopbackHost(host: string): boolean {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (h.startsWith('::ffff:')) h = h.slice('::ffff:'.length);
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return m !== null && m.slice(1).every((o) => Number(o) <= 255);
}
