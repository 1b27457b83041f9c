/**
 * Readable token strings for the UI. Byte-level BPE (CLIP, GPT-2) stores tokens as bytes mapped to printable
 * code points ("Ã©" for "é") and CLIP marks word ends with "</w>"; a user reading an attention map should
 * see "é" and "cat". A token holding part of a multi-byte character shows its bytes as <0xNN>.
 */
import { isJsonObject, type JsonObject } from './configFields';

/** Maps a tokenizer's token string to what the UI shows. */
export type TokenDisplay = (token: string) => string;

/** Builds the display function for the tokenizer described by `tokenizerJson`; `added` tokens pass unchanged. */
export function makeTokenDisplay(tokenizerJson: JsonObject, added: ReadonlySet<string>): TokenDisplay {
  const model = isJsonObject(tokenizerJson.model) ? tokenizerJson.model : {};
  const suffix = typeof model.end_of_word_suffix === 'string' ? model.end_of_word_suffix : '';
  const byteLevel = hasByteLevel(tokenizerJson.decoder) || hasByteLevel(tokenizerJson.pre_tokenizer);
  return (token) => {
    if (added.has(token)) return token;
    const word = suffix !== '' && token.endsWith(suffix) ? token.slice(0, -suffix.length) : token;
    return showControls(byteLevel ? fromByteLevel(word) : word);
  };
}

function hasByteLevel(component: unknown): boolean {
  if (!isJsonObject(component)) return false;
  if (component.type === 'ByteLevel') return true;
  const children = component.pretokenizers ?? component.decoders;
  return Array.isArray(children) && children.some(hasByteLevel);
}

/** GPT-2's byte-to-character table, inverted: printable Latin-1 bytes map to themselves, the rest to 256+n. */
const charToByte: Map<number, number> = (() => {
  const map = new Map<number, number>();
  let next = 256;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    map.set(printable ? b : next++, b);
  }
  return map;
})();

const utf8 = new TextDecoder('utf-8', { fatal: true });

function fromByteLevel(token: string): string {
  const bytes: number[] = [];
  for (const ch of token) {
    const byte = charToByte.get(ch.codePointAt(0) as number);
    if (byte === undefined) return token; // not byte-level after all: leave it alone
    bytes.push(byte);
  }
  try {
    return utf8.decode(Uint8Array.from(bytes));
  } catch {
    return bytes.map((b) => (b < 0x80 ? String.fromCharCode(b) : hexByte(b))).join('');
  }
}

/** Control characters would be invisible (or break a line) in the UI. */
function showControls(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    out += code < 0x20 || code === 0x7f ? hexByte(code) : ch;
  }
  return out;
}

function hexByte(b: number): string {
  return `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
}
