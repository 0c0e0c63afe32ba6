// How many check phases of the event loop pass while `run` runs: a decision that waits for its
// turn's evaluation batch costs one.
export async function turnsDuring<T>(run: () => Promise<T>): Promise<{ turns: number; result: T }> {
  let turns = 0;
  let counting = true;
  const count = (): void => {
    turns++;
    if (counting) setImmediate(count);
  };
  setImmediate(count);
  const result = await run();
  counting = false;
  return { turns, result };
}
