/**
 * One e-mail address as citydesk takes it, from a customer, a staff account or an Open311 client:
 * `local@domain.tld` and nothing else. No display name (`"Victim" <x@evil.example>`), no list
 * (`a@example.org,victim`), no comment, no quotes, no spaces, CR or LF: the address is put into
 * mail headers as it is, so anything that a mail program reads as a second recipient or header is
 * refused here. Letters beyond ASCII are allowed (internationalized addresses).
 */
const atom = "[\\p{L}\\p{N}!#$%&'*+/=?^_`{|}~-]+";
const label = '[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]{0,61}[\\p{L}\\p{N}])?';
const emailAddressPattern = new RegExp(`^${atom}(?:\\.${atom})*@${label}(?:\\.${label})*\\.(?:\\p{L}{2,63}|xn--[a-z0-9-]{1,59})$`, 'u');

export const maxEmailLength = 254;

export function isEmailAddress(text: string): boolean {
  if (text.length > maxEmailLength) return false;
  const at = text.lastIndexOf('@');
  if (at < 1 || at > 64) return false;
  return emailAddressPattern.test(text);
}

/** What is wrong with a would-be address, in words for the person who typed it (undefined when it is one). */
export function emailAddressProblem(text: string): string | undefined {
  if (isEmailAddress(text)) return undefined;
  if (/[\r\n]/.test(text)) return 'An e-mail address is one line.';
  if (/[<>"]/.test(text)) return 'Give the address alone, like name@example.ca, without a name or angle brackets.';
  if (/[,;]/.test(text) || (text.match(/@/g)?.length ?? 0) > 1) return 'Give one e-mail address, like name@example.ca, not a list.';
  if (/\s/.test(text)) return 'An e-mail address has no spaces, like name@example.ca.';
  return 'Write it like name@example.ca.';
}
