/**
 * A text's UTF-16 code units in one reused array, for the scans every output goes through
 * (redaction, the invisible-character check). A server's strings come in many representations
 * (sliced, concatenated, one- or two-byte), and charCodeAt over all of them ran the scans two to
 * three times slower than reading one typed array, copy included. The array is valid until the
 * next call, and holds more than the text: read only `text.length` units.
 */
let units = new Uint16Array(4096);
let bytes = Buffer.from(units.buffer);

export function codeUnits(text: string): Uint16Array {
  if (units.length < text.length) {
    units = new Uint16Array(Math.max(text.length, units.length * 2));
    bytes = Buffer.from(units.buffer);
  }
  bytes.write(text, 0, "utf16le");
  return units;
}
