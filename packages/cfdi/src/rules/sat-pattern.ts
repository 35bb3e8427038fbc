const compiled = new Map<string, RegExp | null>();

/**
 * A regular expression SAT publishes in a catalog (c_Pais, c_FormaPago), as a whole-value match; null
 * when there is none, or when JavaScript cannot read it (c_FormaPago's `\V*` for 99), so the rule that
 * needs it is skipped rather than guessed.
 */
export function wholeValuePattern(pattern: string | null): RegExp | null {
  if (pattern === null) return null;
  let regex = compiled.get(pattern);
  if (regex === undefined) {
    try {
      regex = new RegExp(`^(?:${pattern})$`, 'u');
    } catch {
      regex = null;
    }
    compiled.set(pattern, regex);
  }
  return regex;
}
