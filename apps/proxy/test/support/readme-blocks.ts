/** A fenced code block of a Markdown file, as a reader would copy it (list indentation removed). */
export interface ReadmeBlock {
  lang: string;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The first non-empty line: how the coverage table names a block. */
  firstLine: string;
}

export function readmeBlocks(markdown: string): ReadmeBlock[] {
  const blocks: ReadmeBlock[] = [];
  for (const match of markdown.matchAll(/^( *)```(\S*)\n([\s\S]*?)^\1```[ \t]*$/gm)) {
    const indent = match[1].length;
    const code = match[3]
      .split("\n")
      .map((line) => line.slice(Math.min(indent, line.length - line.trimStart().length)))
      .join("\n");
    blocks.push({
      lang: match[2],
      code,
      line: markdown.slice(0, match.index).split("\n").length,
      firstLine: code.split("\n").find((line) => line.trim() !== "")?.trim() ?? "",
    });
  }
  return blocks;
}
