/** A small Markdown link checker: relative links resolve to files, anchors to headings (GitHub slugs). */
import * as fs from "node:fs";
import * as path from "node:path";

/** GitHub's heading anchor: lower-case, punctuation dropped (except '-' and '_'), spaces to '-'. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]+>/g, "")
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** Markdown text without fenced code blocks and inline code spans. */
function prose(md: string): string {
  return md.replace(/^(```|~~~)[\s\S]*?^\1[^\n]*$/gm, "").replace(/`[^`\n]*`/g, "");
}

export function anchorsOf(file: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  const text = fs.readFileSync(file, "utf8").replace(/^(```|~~~)[\s\S]*?^\1[^\n]*$/gm, "");
  for (const m of text.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = slug(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  for (const m of text.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) out.add(m[1]);
  return out;
}

export interface BrokenLink {
  readonly file: string;
  readonly target: string;
  readonly why: string;
}

export function checkLinks(files: readonly string[]): BrokenLink[] {
  const broken: BrokenLink[] = [];
  for (const file of files) {
    const text = prose(fs.readFileSync(file, "utf8"));
    for (const m of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = m[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
      const [p, anchor] = target.split("#", 2) as [string, string | undefined];
      const resolved = p === "" ? file : path.resolve(path.dirname(file), decodeURIComponent(p));
      if (!fs.existsSync(resolved)) {
        broken.push({ file, target, why: "no such file" });
        continue;
      }
      if (anchor !== undefined && resolved.endsWith(".md") && !anchorsOf(resolved).has(anchor)) {
        broken.push({ file, target, why: `no heading with anchor #${anchor}` });
      }
    }
  }
  return broken;
}

export function markdownFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? markdownFiles(p) : e.name.endsWith(".md") ? [p] : [];
  });
}
