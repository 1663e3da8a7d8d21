import { afterEach } from "vitest";

/** Registers an afterEach that closes what the test opened; returns the function that registers each thing as it opens. */
export function closedAfterEach(): <T extends { close(): Promise<void> }>(opened: T) => T {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const item of open.splice(0).reverse()) await item.close();
  });
  return (opened) => {
    open.push(opened);
    return opened;
  };
}
