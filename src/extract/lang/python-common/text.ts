import { decodeText } from '../../util/text.js';

/** Decodes Python text files, which pip reads as UTF-8 unless a UTF-16/32 byte-order mark says otherwise. */
export function decodePyText(content: Uint8Array): string {
  if (content.length >= 2 && content[0] === 0xff && content[1] === 0xfe) return new TextDecoder('utf-16le').decode(content.subarray(2));
  if (content.length >= 2 && content[0] === 0xfe && content[1] === 0xff) return new TextDecoder('utf-16be').decode(content.subarray(2));
  return decodeText(content);
}
