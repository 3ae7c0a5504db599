/** Commit messages derived from the prompt that caused the change. Pure. */

export const MAX_SUBJECT = 72;

/** A subject of at most 72 characters from the prompt's first line, and the full prompt as body. */
export function commitMessage(prompt: string): string {
  const text = prompt.replace(/\r\n?/g, '\n').trim();
  const firstLine =
    text
      .split('\n')
      .find((line) => line.trim() !== '')
      ?.trim() ?? '';
  const subject = firstLine === '' ? 'Nightshift changes' : shorten(firstLine.replace(/\s+/g, ' '));
  if (text === '' || text === subject) return `${subject}\n`;
  return `${subject}\n\n${text}\n`;
}

function shorten(line: string): string {
  if (line.length <= MAX_SUBJECT) return line;
  const cut = line.slice(0, MAX_SUBJECT - 1);
  // Prefer ending on a word boundary when one is reasonably close.
  const space = cut.lastIndexOf(' ');
  return `${(space > MAX_SUBJECT / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
