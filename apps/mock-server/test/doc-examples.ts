/**
 * Every curl command in a vendor's page, deduplicated: a command goes on while a line ends in a
 * backslash or a single-quoted `-d '{...}'` body is still open.
 */
export function curlExamples(text: string): string[] {
  const lines = text.split('\n');
  const commands = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('curl ')) continue;
    const parts = [lines[i]!];
    const open = () => (parts.join('\n').match(/'/g)?.length ?? 0) % 2 === 1;
    while ((parts.at(-1)!.trimEnd().endsWith('\\') || open()) && i + 1 < lines.length) parts.push(lines[++i]!);
    commands.add(parts.join('\n'));
  }
  return [...commands];
}
