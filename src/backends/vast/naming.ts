import { provenanceMarker, readProvenance, withoutMarker, type Provenance } from "../../core/provenance.js";

/** VMS keeps at most this many characters of a token name (see vast-api.md). */
export const MAX_VAST_NAME = 50;

/**
 * A VMS name with the provenance marker, which is all a VMS token has room for: the person's part
 * shortened (with "…") when both would not fit, and a warning saying so.
 */
export function markedName(name: string, provenance: Provenance, warnings: string[]): string {
  const marker = provenanceMarker(provenance);
  const room = MAX_VAST_NAME - marker.length - 1;
  if (name.length <= room) return `${name} ${marker}`;
  warnings.push(`The name was shortened to ${room} characters to leave room for the ${marker} marker (VMS keeps at most ${MAX_VAST_NAME}).`);
  return `${name.slice(0, room - 1)}… ${marker}`;
}

/** A rename of a token that had `previous`: its marker carried over. */
export function renamed(name: string, previous: string | undefined, warnings: string[]): string {
  const provenance = readProvenance(previous);
  return provenance ? markedName(withoutMarker(name) ?? name, provenance, warnings) : name;
}
