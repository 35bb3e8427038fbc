/** What one flat pass over the markup finds, before (and apart from) any parser. */
export interface MarkupOutline {
  /** Where the first element deeper than the limit starts. */
  tooDeepAt?: number;
  /** Where the first element past the limit on their number starts. */
  tooManyAt?: number;
  /** Where the first non-blank text outside the root element is (the parser drops it silently). */
  textOutsideRootAt?: number;
}

// The end of a start tag: quoted values may hold '>'. The alternatives begin with different
// characters, so matching is linear even on hostile input.
const startTagRest = /(?:[^>"']|"[^"]*"|'[^']*')*>/y;
const nonBlank = /\S/g;

/** How far the outline lets a document go before a parser builds its tree. */
export interface OutlineLimits {
  maxDepth: number;
  maxElements: number;
}

/**
 * Element depth and count and stray top-level text, found by scanning tags, comments, CDATA and
 * processing instructions in one linear pass: no recursion, no tree. It stops at the first element too
 * deep or too many, and at markup it cannot follow, which the parser then reports as malformed.
 */
export function outlineMarkup(text: string, { maxDepth, maxElements }: OutlineLimits): MarkupOutline {
  const outline: MarkupOutline = {};
  let depth = 0;
  let elements = 0;
  let textFrom = 0;
  for (let index = text.indexOf('<'); index !== -1; index = text.indexOf('<', textFrom)) {
    if (depth === 0) noteTextOutsideRoot(text, textFrom, index, outline);
    let next: number;
    if (text.startsWith('<!--', index)) next = endAfter(text, '-->', index + 4);
    else if (text.startsWith('<![CDATA[', index)) next = endAfter(text, ']]>', index + 9);
    else if (text.startsWith('<?', index)) next = endAfter(text, '?>', index + 2);
    else if (text.startsWith('</', index)) {
      depth -= 1;
      next = endAfter(text, '>', index + 2);
    } else {
      startTagRest.lastIndex = index + 1;
      if (!startTagRest.test(text)) return outline;
      next = startTagRest.lastIndex;
      // An empty element (<x/>) is a level too, though nothing nests inside it.
      if (depth + 1 > maxDepth) return { ...outline, tooDeepAt: index };
      if (++elements > maxElements) return { ...outline, tooManyAt: index };
      if (text[next - 2] !== '/') depth += 1;
    }
    if (next === -1) return outline;
    textFrom = next;
  }
  if (depth === 0) noteTextOutsideRoot(text, textFrom, text.length, outline);
  return outline;
}

function noteTextOutsideRoot(text: string, from: number, to: number, outline: MarkupOutline): void {
  if (outline.textOutsideRootAt !== undefined || from >= to) return;
  nonBlank.lastIndex = from;
  const found = nonBlank.exec(text);
  if (found && found.index < to) outline.textOutsideRootAt = found.index;
}

function endAfter(text: string, terminator: string, from: number): number {
  const at = text.indexOf(terminator, from);
  return at === -1 ? -1 : at + terminator.length;
}

/** The 1-based line of a position, for messages. */
export function lineAt(text: string, index: number): number {
  let line = 1;
  for (let at = text.indexOf('\n'); at !== -1 && at < index; at = text.indexOf('\n', at + 1)) line += 1;
  return line;
}
