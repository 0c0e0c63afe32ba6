// ../shared/bench-peer, next to this checkout (BENCH_PEER_DIR points elsewhere; absent outside this
// workspace), and its small exactly-equivalent policy as the service runs it: cache off, its
// policies/small/rego as the one bundle. Used by bench:http, bench:breakdown and bench:peer.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The harness directory: BENCH_PEER_DIR, else ../shared/bench-peer beside this checkout. */
export const DEFAULT_PEER_DIR = process.env.BENCH_PEER_DIR ?? join(ROOT, '..', 'shared', 'bench-peer');

/** The small policy of a harness directory: its path, the service settings that serve it, and
 * why it cannot be measured (null when it can). */
export function smallPolicy(peerDir = DEFAULT_PEER_DIR) {
  const dir = join(peerDir, 'policies', 'small', 'rego');
  return {
    dir,
    env: { PDP_CACHE_ENABLED: 'false', PDP_BUNDLE_PATH: dir, PDP_BUNDLE_NAME: 'peer-small' },
    absent: existsSync(dir) ? null : `${dir} is absent (the small policy comes with ../shared/bench-peer; BENCH_PEER_DIR points elsewhere)`,
  };
}
