import type { ComponentChildren, VNode } from 'preact';

/**
 * A document the City issued (the Standard's text), written in Markdown, rendered as HTML safely:
 * the text is parsed into Preact elements, so every character of it is escaped and no HTML in the
 * source reaches the page as markup. Headings, paragraphs, bullet lists (`-`, `*`, `•`), numbered
 * lists, **bold**, *italic*, `code` and links (http, https, mailto and this site's paths only).
 * Headings are shifted down one level (the page's own title is its h1) and get ids to link to.
 */

type Block = { kind: 'heading'; level: number; text: string } | { kind: 'paragraph'; text: string } | { kind: 'list'; ordered: boolean; items: ListItem[] };
interface ListItem {
  text: string;
  children: Block[];
}

const bullet = /^(\s*)([-*+•])\s+(.*)$/;
const numbered = /^(\s*)(\d{1,3})[.)]\s+(.*)$/;
const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/;

export function parseMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  const flush = (): void => {
    if (paragraph.length > 0) blocks.push({ kind: 'paragraph', text: paragraph.join(' ') });
    paragraph = [];
  };
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const h = heading.exec(line);
    if (h) {
      flush();
      blocks.push({ kind: 'heading', level: h[1]!.length, text: h[2]! });
      i += 1;
      continue;
    }
    if (bullet.test(line) || numbered.test(line)) {
      flush();
      const { block, next } = parseList(lines, i);
      blocks.push(block);
      i = next;
      continue;
    }
    if (line.trim() === '') flush();
    else paragraph.push(line.trim());
    i += 1;
  }
  flush();
  return blocks;
}

function indentOf(line: string): number {
  return (/^\s*/.exec(line)?.[0] ?? '').replace(/\t/g, '    ').length;
}

/** A list starting at line `start`: items at its indentation, deeper items nested under the last one. */
function parseList(lines: string[], start: number): { block: Block; next: number } {
  const first = lines[start]!;
  const ordered = !bullet.test(first) && numbered.test(first);
  const indent = indentOf(first);
  const items: ListItem[] = [];
  let i = start;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '') {
      // A blank line ends the list unless the next line continues it.
      const next = lines[i + 1];
      if (next !== undefined && (bullet.test(next) || numbered.test(next)) && indentOf(next) >= indent) {
        i += 1;
        continue;
      }
      break;
    }
    const match = bullet.exec(line) ?? numbered.exec(line);
    const lineIndent = indentOf(line);
    if (match && lineIndent === indent && (ordered ? numbered.test(line) && !bullet.test(line) : bullet.test(line))) {
      items.push({ text: match[3]!, children: [] });
      i += 1;
      continue;
    }
    if (match && lineIndent > indent && items.length > 0) {
      const nested = parseList(lines, i);
      items.at(-1)!.children.push(nested.block);
      i = nested.next;
      continue;
    }
    if (!match && lineIndent > indent && items.length > 0) {
      items.at(-1)!.text += ` ${line.trim()}`;
      i += 1;
      continue;
    }
    break;
  }
  return { block: { kind: 'list', ordered, items }, next: i };
}

/** An id for a heading: "7.2 Onboarding and Staff Responsibilities" → "s-7-2-onboarding-and-staff-responsibilities". */
export function headingId(text: string): string {
  const plain = text.replace(/[*_`]/g, '').toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return `s-${plain || 'section'}`;
}

function safeHref(url: string): string | undefined {
  const trimmed = url.trim();
  if (/^(https?:|mailto:)/i.test(trimmed)) return trimmed;
  if (trimmed.startsWith('/') && !trimmed.startsWith('//')) return trimmed;
  if (trimmed.startsWith('#')) return trimmed;
  return undefined;
}

const inlinePattern = /(\*\*|__)(.+?)\1|(\*|_)(?!\s)(.+?)(?<!\s)\3|`([^`]+)`|\[([^\]]+)\]\(([^)\s]+)\)/;

/** Inline marks in a line of text, as elements; everything else is text (escaped by Preact). */
export function renderInline(text: string): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  let rest = text;
  while (rest.length > 0) {
    const m = inlinePattern.exec(rest);
    if (!m) {
      out.push(rest);
      break;
    }
    if (m.index > 0) out.push(rest.slice(0, m.index));
    if (m[2] !== undefined) out.push(<strong>{renderInline(m[2])}</strong>);
    else if (m[4] !== undefined) out.push(<em>{renderInline(m[4])}</em>);
    else if (m[5] !== undefined) out.push(<code>{m[5]}</code>);
    else if (m[6] !== undefined) {
      const href = safeHref(m[7]!);
      out.push(href ? <a href={href}>{renderInline(m[6])}</a> : `${m[6]} (${m[7]})`);
    }
    rest = rest.slice(m.index + m[0].length);
  }
  return out;
}

function renderBlocks(blocks: Block[], ids: Set<string>): VNode[] {
  return blocks.map((b) => {
    if (b.kind === 'heading') {
      const level = Math.min(6, b.level + 1);
      let id = headingId(b.text);
      for (let n = 2; ids.has(id); n += 1) id = `${headingId(b.text)}-${n}`;
      ids.add(id);
      const Tag = `h${level}` as 'h2';
      return <Tag id={id}>{renderInline(b.text)}</Tag>;
    }
    if (b.kind === 'paragraph') return <p>{renderInline(b.text)}</p>;
    const items = b.items.map((item) => (
      <li>
        {renderInline(item.text)}
        {item.children.length > 0 ? renderBlocks(item.children, ids) : null}
      </li>
    ));
    return b.ordered ? <ol>{items}</ol> : <ul>{items}</ul>;
  });
}

/** The whole document as elements, for a page's main content. */
export function MarkdownDocument(props: { source: string; label?: string }) {
  return <div class="document-text">{renderBlocks(parseMarkdown(props.source), new Set())}</div>;
}

/** The document's headings (for a contents list), as rendered: level (2–6), text, id. */
export function markdownHeadings(source: string): { level: number; text: string; id: string }[] {
  const ids = new Set<string>();
  return parseMarkdown(source)
    .filter((b): b is Extract<Block, { kind: 'heading' }> => b.kind === 'heading')
    .map((b) => {
      let id = headingId(b.text);
      for (let n = 2; ids.has(id); n += 1) id = `${headingId(b.text)}-${n}`;
      ids.add(id);
      return { level: Math.min(6, b.level + 1), text: b.text.replace(/[*_`]/g, ''), id };
    });
}
