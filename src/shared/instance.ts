// Who this service instance is, as OPA names it (labels: id, version, plus the configured ones):
// the same in GET /v1/status, GET /v1/config and every decision record. With PDP_WORKERS the
// primary makes the id and hands it to each worker as its one argument (src/cluster/primary.ts),
// so a process of several workers is one instance.
import { randomUUID } from 'node:crypto';
import { packageVersion } from './package-root.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let id: string = randomUUID();

export function instanceId(): string {
  return id;
}

/** A cluster worker takes its primary's id (anything but a UUID is ignored). */
export function adoptInstanceId(given: string | undefined): void {
  if (given !== undefined && UUID.test(given)) id = given;
}

/** OPA's labels: the service's name, the configured labels, then id and version (which a
 * configured label cannot replace, as in OPA). */
export function instanceLabels(configured: Readonly<Record<string, string>> | undefined): Record<string, string> {
  return { app: 'ai-governance-pdp', ...configured, id, version: packageVersion };
}
