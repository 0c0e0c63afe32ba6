// How many timers (setTimeout/setInterval) a synchronous piece of code creates, unref'd ones
// included: an async hook sees every Timeout as it is made.
import { createHook } from 'node:async_hooks';

export function timersCreatedBy(fn: () => void): number {
  let created = 0;
  const hook = createHook({
    init(_id, type) {
      if (type === 'Timeout') created++;
    },
  }).enable();
  try {
    fn();
  } finally {
    hook.disable();
  }
  return created;
}
