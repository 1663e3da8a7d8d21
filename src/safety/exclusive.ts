/**
 * One-at-a-time sections within this process: a cap check and the create it allows run together,
 * so parallel calls cannot all pass the check before any of them creates.
 */
export type Exclusive = <T>(section: () => Promise<T>) => Promise<T>;

export function exclusiveSections(): Exclusive {
  let tail: Promise<unknown> = Promise.resolve();
  return (section) => {
    const run = tail.then(section, section);
    tail = run.catch(() => undefined);
    return run;
  };
}
