/**
 * The docs link check behind docs-links.spec.ts: every relative link in the Markdown resolves
 * to a file of the repository (and its `#anchor` to a heading of that file), and every
 * repository path cited in a source comment or in the docs' text exists.
 *
 * What counts as a cited path is kept narrow so that it fires on stale citations only: a token
 * with a `/` whose last part has a known file extension or whose first part is an existing
 * top-level folder (`domain/src/stages.ts`, `legacy-adapter/src/mirror`), a bare Markdown
 * file name (`README.md`), or anything starting with `../`. URLs, npm package names
 * (`@scope/name`), globs and placeholders (`*`, `{}`, `<>`, `$`), absolute and home paths, and
 * folders that exist only at run time (`.stack/`, `test-artifacts/`) are never paths. A path
 * resolves from the repository root or from any folder above the citing file. Comments are read
 * in TypeScript and JavaScript, shell scripts, YAML and the Dockerfile.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import * as ts from 'typescript';

const KNOWN_EXTENSIONS = new Set(
  'ts tsx js mjs cjs json md sh yml yaml sql env go mod pb html css'.split(' '),
);
/** Folders that exist only at run time or after a build: citing them is not citing a file. */
const GENERATED_FOLDERS = new Set([
  '.stack',
  '.nx',
  '.git',
  'node_modules',
  'dist',
  'coverage',
  'test-artifacts',
]);
const NOT_IN_A_PATH = /[:*?{}<>$@|=~%\\…]/;

export interface Problem {
  file: string;
  line: number;
  message: string;
}

/** The files of the work tree git knows or would add (tracked, or new and not ignored). */
export function repositoryFiles(root: string): string[] {
  return execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((file) => file && existsSync(join(root, file)));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
export function headingSlug(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** The lines of a Markdown text, each marked as inside a fenced code block or not. */
function markdownLines(markdown: string): { text: string; line: number; code: boolean }[] {
  let fence: string | null = null;
  return markdown.split('\n').map((text, index) => {
    const opening = /^\s*(```+|~~~+)/.exec(text)?.[1];
    if (fence === null && opening) {
      fence = opening;
      return { text, line: index + 1, code: true };
    }
    if (fence !== null) {
      if (text.trim().startsWith(fence)) fence = null;
      return { text, line: index + 1, code: true };
    }
    return { text, line: index + 1, code: false };
  });
}

export function headingAnchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const { text, code } of markdownLines(markdown)) {
    const heading = code ? undefined : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text)?.[1];
    if (heading === undefined) continue;
    const slug = headingSlug(heading);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Link targets outside code: inline links, images and reference definitions. */
export function markdownLinks(markdown: string): { target: string; line: number }[] {
  const links: { target: string; line: number }[] = [];
  for (const { text, line, code } of markdownLines(markdown)) {
    if (code) continue;
    const prose = text.replace(/`[^`]*`/g, '');
    for (const match of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ target: match[1]!, line });
    }
    const definition = /^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$/.exec(prose);
    if (definition) links.push({ target: definition[1]!, line });
  }
  return links;
}

/** Tokens of a text that cite a repository path (see the top of this module). */
export function citedPaths(text: string, topLevelFolders: ReadonlySet<string>): string[] {
  const cited: string[] = [];
  for (const word of text.split(/[\s`'"()[\],;]+/)) {
    const token = word.replace(/[.:!?]+$/, '');
    if (!token || NOT_IN_A_PATH.test(token.replace(/#[\w-]*$/, ''))) continue;
    const [path] = token.split('#') as [string];
    if (!path || path.startsWith('/') || path.startsWith('-')) continue;
    const parts = path.split('/').filter((part) => part !== '' && part !== '.');
    const first = parts[0];
    if (!first || GENERATED_FOLDERS.has(first)) continue;
    const last = parts[parts.length - 1]!;
    const extension = /\.([A-Za-z]+)$/.exec(last)?.[1];
    // Pointing above the citing folder is citing a path; `./name` may be a tool's work folder.
    const qualifies = path.includes('/')
      ? path.startsWith('../') ||
        (extension !== undefined && KNOWN_EXTENSIONS.has(extension)) ||
        topLevelFolders.has(first)
      : extension === 'md' && /^[\w.-]+$/.test(path);
    if (qualifies) cited.push(token);
  }
  return cited;
}

/** The comments of a TypeScript or JavaScript file, with the line each starts on. */
export function scriptComments(fileName: string, source: string): { text: string; line: number }[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, false);
  const found = new Map<number, { text: string; line: number }>();
  const collect = (ranges: readonly ts.CommentRange[] | undefined) => {
    for (const range of ranges ?? []) {
      if (found.has(range.pos)) continue;
      found.set(range.pos, {
        text: source.slice(range.pos, range.end),
        line: file.getLineAndCharacterOfPosition(range.pos).line + 1,
      });
    }
  };
  const visit = (node: ts.Node): void => {
    collect(ts.getLeadingCommentRanges(source, node.pos));
    collect(ts.getTrailingCommentRanges(source, node.end));
    ts.forEachChild(node, visit, (nodes) => {
      collect(ts.getLeadingCommentRanges(source, nodes.pos));
      nodes.forEach(visit);
    });
  };
  visit(file);
  collect(ts.getLeadingCommentRanges(source, file.endOfFileToken.pos));
  return [...found.values()].sort((a, b) => a.line - b.line);
}

/** Shell, YAML and Dockerfile comments: from a `#` starting a line or after a space (not `#!`). */
export function shellComments(source: string): { text: string; line: number }[] {
  return source.split('\n').flatMap((text, index) => {
    const comment = /(?:^|\s)#(?!!)(.*)$/.exec(text);
    return comment && !(index === 0 && text.startsWith('#!'))
      ? [{ text: comment[1]!, line: index + 1 }]
      : [];
  });
}

export class RepositoryPaths {
  private readonly files: Set<string>;
  private readonly folders = new Set<string>();
  readonly topLevelFolders = new Set<string>();
  private readonly anchors = new Map<string, Set<string>>();

  constructor(
    readonly root: string,
    files: readonly string[] = repositoryFiles(root),
  ) {
    this.files = new Set(files);
    for (const file of files) {
      const parts = file.split('/');
      for (let i = 1; i < parts.length; i += 1) this.folders.add(parts.slice(0, i).join('/'));
      if (parts.length > 1) this.topLevelFolders.add(parts[0]!);
    }
  }

  /** The repository path `target` names from `fromFolder`, or undefined if none exists. */
  resolve(target: string, fromFolder: string): string | undefined {
    const candidate = normalize(join(fromFolder, target)).split(sep).join('/').replace(/\/$/, '');
    if (candidate.startsWith('..')) return undefined;
    if (candidate === '.' || candidate === '') return '.';
    return this.files.has(candidate) || this.folders.has(candidate) ? candidate : undefined;
  }

  /** Resolves a cited path from the citing file's folder or any folder above it. */
  resolveCited(target: string, citingFile: string): string | undefined {
    if (target.startsWith('./') || target.startsWith('../')) {
      return this.resolve(target, dirname(citingFile));
    }
    for (let folder = dirname(citingFile); ; folder = dirname(folder)) {
      const found = this.resolve(target, folder);
      if (found) return found;
      if (folder === '.' || folder === '') return undefined;
    }
  }

  isFile(path: string): boolean {
    return this.files.has(path) && statSync(join(this.root, path)).isFile();
  }

  anchorsOf(markdownFile: string): Set<string> {
    let anchors = this.anchors.get(markdownFile);
    if (!anchors) {
      anchors = headingAnchors(readFileSync(join(this.root, markdownFile), 'utf8'));
      this.anchors.set(markdownFile, anchors);
    }
    return anchors;
  }

  /** Problems with one path cited from `file` (a `#anchor` is checked in Markdown targets). */
  checkTarget(target: string, file: string, line: number, resolveFrom: 'file' | 'cited') {
    const [path, anchor] = target.split('#') as [string, string | undefined];
    const resolved =
      path === ''
        ? file
        : resolveFrom === 'file'
          ? this.resolve(decodeURIComponent(path), dirname(file))
          : this.resolveCited(path, file);
    if (resolved === undefined) return [{ file, line, message: `${target}: no such path` }];
    if (anchor && resolved.endsWith('.md') && this.isFile(resolved)) {
      if (!this.anchorsOf(resolved).has(anchor.toLowerCase())) {
        return [{ file, line, message: `${target}: no heading #${anchor} in ${resolved}` }];
      }
    }
    return [];
  }
}

/** Every broken link or citation in the repository's Markdown and comments. */
export function pathProblems(root: string, files = repositoryFiles(root)): Problem[] {
  const paths = new RepositoryPaths(root, files);
  const problems: Problem[] = [];
  const checkCitations = (file: string, chunks: { text: string; line: number }[]) => {
    for (const { text, line } of chunks) {
      text.split('\n').forEach((part, offset) => {
        for (const cited of citedPaths(part, paths.topLevelFolders)) {
          problems.push(...paths.checkTarget(cited, file, line + offset, 'cited'));
        }
      });
    }
  };
  for (const file of files) {
    const source = (): string => readFileSync(join(root, file), 'utf8');
    if (file.endsWith('.md')) {
      const markdown = source();
      for (const { target, line } of markdownLinks(markdown)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, mailto:, ...
        problems.push(...paths.checkTarget(target, file, line, 'file'));
      }
      const withoutLinks = markdown.replace(/\]\([^)]*\)/g, ']');
      checkCitations(
        file,
        withoutLinks.split('\n').map((text, index) => ({ text, line: index + 1 })),
      );
    } else if (/\.(ts|js|mjs|cjs)$/.test(file)) {
      checkCitations(file, scriptComments(file, source()));
    } else if (/\.(sh|ya?ml)$/.test(file) || /(^|\/)Dockerfile$/.test(file)) {
      checkCitations(file, shellComments(source()));
    }
  }
  return problems;
}

export const describeProblem = (root: string, problem: Problem): string =>
  `${relative(root, join(root, problem.file))}:${problem.line}: ${problem.message}`;
