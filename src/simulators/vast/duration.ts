/**
 * VMS's expiry grammar as its documentation gives it (shared/docs/vast-api.md, "Expiry"): one
 * positive whole number immediately followed by one unit, nothing else. Written for the simulator
 * apart from the client's parser, so that the two can disagree where one of them is wrong.
 */

const UNIT_SECONDS: Readonly<Record<string, number>> = {
  Y: 365 * 86_400,
  M: 30 * 86_400,
  w: 7 * 86_400,
  W: 7 * 86_400,
  d: 86_400,
  D: 86_400,
  h: 3_600,
  H: 3_600,
  m: 60,
  s: 1,
  S: 1,
};

/** Milliseconds of a duration such as `180D`, or undefined when the text is not one. */
export function vmsDurationMs(text: string): number | undefined {
  const unit = text.slice(-1);
  const count = text.slice(0, -1);
  if (!Object.hasOwn(UNIT_SECONDS, unit) || !/^[1-9][0-9]*$/.test(count)) return undefined;
  const ms = Number(count) * (UNIT_SECONDS[unit] as number) * 1000;
  return Number.isSafeInteger(ms) ? ms : undefined;
}
