/**
 * A text's UTF-16 code units in one reused array, for the scans every output goes through
 * (redaction, the invisible-character check). A server's strings come in many representations
 * (sliced, concatenated, one- or two-byte), and charCodeAt over all of them ran the scans two to
 * three times slower than reading one typed array, copy included. The array is valid until the
 * next call, and holds more than the text: read only `text.length` units. A text longer than the
 * kept array may grow to gets an array of its own, so one huge output is not held for good.
 */
const KEPT_UNITS = 1 << 16;
let units = new Uint16Array(4096);
let bytes = Buffer.from(units.buffer);

export function codeUnits(text: string): Uint16Array {
  if (text.length > KEPT_UNITS) {
    const own = new Uint16Array(text.length);
    Buffer.from(own.buffer).write(text, 0, "utf16le");
    return own;
  }
  if (units.length < text.length) {
    units = new Uint16Array(Math.min(Math.max(text.length, units.length * 2), KEPT_UNITS));
    bytes = Buffer.from(units.buffer);
  }
  bytes.write(text, 0, "utf16le");
  return units;
}
