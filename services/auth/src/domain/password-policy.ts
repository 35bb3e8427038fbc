import { dictionary } from '@zxcvbn-ts/language-common';

export const minPasswordLength = 8;
/** argon2 hashes any length, but a megabyte "password" is a cheap way to burn CPU. */
export const maxPasswordLength = 1024;
/** `aaaaaaaa` and `abababab` are long enough and guessed at once. */
export const minDistinctPasswordCharacters = 5;

/** Why a password is refused: a stable code, and a message that completes "the password …". */
export interface PasswordProblem {
  code: 'invalid_password' | 'weak_password';
  message: string;
}

/**
 * The most used passwords, lower-case: zxcvbn-ts's list of about 49,000, drawn from published
 * breaches. Attackers try these first, so an online guesser gets through the login throttle on them.
 */
const commonPasswords = new Set(dictionary['passwords-common']);

/** A variant shorter than this is not matched: `ab` + `cdefgh!` is not `ab` decorated. */
const minCommonBaseLength = 4;

// Spaces, control and format characters, and the code points that render as nothing (zero-width
// spaces, Hangul fillers, the blank braille pattern).
const invisible = /[\p{White_Space}\p{Cc}\p{Cf}\p{Z}\p{Default_Ignorable_Code_Point}\u2800]/gu;
const trailingDecoration = /[^\p{L}]+$/u;
const leadingDecoration = /^[^\p{L}]+/u;
const leetLetters: Record<string, string> = {
  '0': 'o',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
};

/**
 * Checks a password being set (a new user, the bootstrap administrator): 8 to 1024 characters, not
 * blank-looking, at least 5 different visible characters, and not one of the most common passwords,
 * whatever its case, nor one of them with digits or symbols added before or after, or with the usual
 * letter-for-digit swaps (`P@ssw0rd`, `Dragon2024!`). Undefined when it is acceptable.
 */
export function checkPassword(password: string): PasswordProblem | undefined {
  if (password.length < minPasswordLength || password.length > maxPasswordLength) {
    return {
      code: 'invalid_password',
      message: `must be ${minPasswordLength} to ${maxPasswordLength} characters`,
    };
  }
  const visible = [...password.normalize('NFKC').replace(invisible, '').toLowerCase()];
  if (visible.length === 0) {
    return {
      code: 'weak_password',
      message: 'must have visible characters, not only spaces or invisible characters',
    };
  }
  if (new Set(visible).size < minDistinctPasswordCharacters) {
    return {
      code: 'weak_password',
      message: `must use at least ${minDistinctPasswordCharacters} different characters`,
    };
  }
  if (isCommonPassword(password)) {
    return {
      code: 'weak_password',
      message: 'is too common: it is on the list of passwords that attackers try first',
    };
  }
  return undefined;
}

function isCommonPassword(password: string): boolean {
  const whole = password.normalize('NFKC').trim().toLowerCase();
  if (commonPasswords.has(whole)) return true;
  const bases = new Set([
    whole.replace(trailingDecoration, ''),
    whole.replace(leadingDecoration, ''),
    whole.replace(trailingDecoration, '').replace(leadingDecoration, ''),
  ]);
  for (const base of bases) {
    if (base.length < minCommonBaseLength) continue;
    // `1` stands for both `i` and `l`.
    const spelled = [...base].map((character) => leetLetters[character] ?? character).join('');
    const readings = [base, spelled.replaceAll('1', 'i'), spelled.replaceAll('1', 'l')];
    if (readings.some((reading) => commonPasswords.has(reading))) return true;
  }
  return false;
}
