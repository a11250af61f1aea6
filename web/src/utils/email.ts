// The department e-mail check, as strict as the API's (validator's isEmail without a TLD
// requirement): a local part, "@", and dot-separated host labels that are never empty.
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
const EMAIL = new RegExp(`^[^\\s@]+@${LABEL}(?:\\.${LABEL})*$`);

/** Why `value` is not a usable e-mail address, or null when it is. */
export function emailProblem(value: string): string | null {
  const email = value.trim();
  if (email === '') return 'Enter an email address';
  if (email.length > 254) return 'An email address has at most 254 characters';
  if (!email.includes('@')) return 'An email address needs an @, like support@example.com';
  if (/\.$/.test(email)) return 'An email address cannot end with a dot';
  if (!EMAIL.test(email)) return 'Enter a valid email address, like support@example.com';
  return null;
}
