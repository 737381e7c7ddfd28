// Reading a vendor page's examples out of its text copy (spec/<slug>/source/), for the
// <slug>-doc-examples tests that run them against the mock.

/**
 * Every curl command in the page, deduplicated: a command goes on while a line ends in a backslash
 * or a single-quoted `-d '{...}'` body is still open. The text copy sometimes loses the line break
 * after a command, gluing the next heading to its closing quote (`}'Inpainting · POST ...`): what
 * follows the quote that closes the body is cut.
 */
export function curlExamples(text: string): string[] {
  const lines = text.split('\n');
  const commands = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('curl ')) continue;
    const parts = [lines[i]!];
    const open = () => (parts.join('\n').match(/'/g)?.length ?? 0) % 2 === 1;
    while ((parts.at(-1)!.trimEnd().endsWith('\\') || open()) && i + 1 < lines.length) parts.push(lines[++i]!);
    // A closing quote with text right after it, not a space: the lost line break.
    parts[parts.length - 1] = parts.at(-1)!.replace(/'[^\s'\\][^']*$/, "'");
    commands.add(parts.join('\n'));
  }
  return [...commands];
}
